namespace Orka.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Fsyncs everything appended so far; concurrent callers share one fsync.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await FlushUpToAsync(LogEndOffset, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fsyncs at least every offset below <paramref name="endOffset"/> (an append's
    /// <c>LastOffset + 1</c>): returns at once if they already are, else joins the running fsync or
    /// starts one; concurrent callers share one fsync (group commit). An offset past the log end
    /// counts as the log end. Unlike
    /// <see cref="FlushAsync(CancellationToken)"/>, a caller whose offsets the running fsync already
    /// covers does not wait for a further one because the log end moved on meanwhile.
    /// </summary>
    public ValueTask FlushToAsync(long endOffset, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        endOffset = Math.Min(endOffset, LogEndOffset); // nothing past the log end can ever be flushed
        return RecoveryPoint >= endOffset ? ValueTask.CompletedTask : FlushUpToAsync(endOffset, cancellationToken);
    }

    /// <summary>
    /// Completes once <paramref name="offset"/> is fsynced (<see cref="RecoveryPoint"/> is past it),
    /// without starting an fsync: for a caller, such as a produce with acks, that wants what the
    /// flush policy gives and nothing more. Throws if the log fails or closes first.
    /// </summary>
    public async ValueTask WaitForFlushAsync(long offset, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var moved = Volatile.Read(ref _recoveryPointMoved); // before the check, so no signal is missed
            if (RecoveryPoint > offset)
            {
                return;
            }

            ThrowIfUnusable();
            await moved.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Flushes if there is unflushed data and the last flush is at least flush.ms old (Kafka's
    /// rule); what the owner's flush schedule calls. True if it flushed.
    /// </summary>
    internal async ValueTask<bool> FlushIfDueAsync(CancellationToken cancellationToken)
    {
        var target = LogEndOffset;
        if (Volatile.Read(ref _disposed) != 0 || _failure is not null || RecoveryPoint >= target
            || NowMs - Volatile.Read(ref _lastFlushMs) < Config.FlushMs)
        {
            return false;
        }

        await FlushUpToAsync(target, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Waits until every offset below <paramref name="offset"/> is fsynced, starting an fsync if
    /// none is running. Callers that arrive while one runs wait for it and then, if it did not cover
    /// them, share the next: that is group commit, one fsync for everyone who arrived meanwhile.
    /// </summary>
    internal async ValueTask FlushUpToAsync(long offset, CancellationToken cancellationToken)
    {
        while (RecoveryPoint < offset)
        {
            Task flush;
            lock (_flushGate)
            {
                if (_flushTask is not { IsCompleted: false })
                {
                    _flushTask = Task.Run(FlushOnce, CancellationToken.None);
                }

                flush = _flushTask;
            }

            await flush.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void FlushOnce()
    {
        if (_failure is { } failure)
        {
            throw new StorageException(StorageErrorKind.Io, $"{Topic}-{Partition} failed earlier and cannot be flushed.", failure);
        }

        // Read the log end before the segment list: every segment holding offsets below it is then in the list.
        var target = LogEndOffset;
        var segments = Volatile.Read(ref _segments);
        var recoveryPoint = RecoveryPoint;
        var directoryDirty = Interlocked.Exchange(ref _directoryDirty, 0) == 1;
        try
        {
            for (var i = 0; i < segments.Length; i++)
            {
                var segment = segments[i];
                // A segment that rolled while an earlier flush ran was flushed as active and its
                // indexes were not fsynced; it is below the recovery point now, so pick it up once more to fsync them.
                var closedWithUnsyncedIndexes = !segment.IsActive && segment.HasUnsyncedIndexFiles;
                if ((segment.NextOffset > recoveryPoint || i == segments.Length - 1 || closedWithUnsyncedIndexes) && segment.TryAcquire())
                {
                    try
                    {
                        var wasClosed = !segment.IsActive; // rolled before this fsync: nothing more will be written to it
                        // The active segment's indexes are re-indexed by recovery anyway: fsync its .log only.
                        segment.Flush(syncIndexes: wasClosed);
                        if (wasClosed)
                        {
                            segment.ReleaseIndexFiles();
                        }
                    }
                    finally
                    {
                        segment.Release();
                    }
                }
            }

            if (directoryDirty)
            {
                DurableFile.SyncDirectory(_directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failure ??= e;
            SignalRecoveryPointMoved();
            throw new StorageException(StorageErrorKind.Io, $"fsync of {Topic}-{Partition} failed; the log accepts no more appends until it is reopened.", e);
        }

        long current;
        while ((current = RecoveryPoint) < target && Interlocked.CompareExchange(ref _recoveryPoint, target, current) != current)
        {
        }

        Volatile.Write(ref _lastFlushMs, NowMs);
        SignalRecoveryPointMoved();
    }
}
