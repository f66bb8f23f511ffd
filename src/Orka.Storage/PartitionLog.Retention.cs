namespace Orka.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes the oldest closed segments that retention no longer keeps, and returns how many it
    /// deleted. A segment goes when its largest record timestamp is more than retention.ms before
    /// now (the injected clock; a segment without timestamps uses its file's last write time), when
    /// the log would still be over retention.bytes without it, or when it lies wholly below
    /// <see cref="LogStartOffset"/>. Only a prefix of the log is deleted, never the active segment,
    /// so offsets stay contiguous and <see cref="LogStartOffset"/> moves to the first segment left.
    /// Time and size apply only when <see cref="LogConfig.CleanupPolicy"/> includes delete.
    /// </summary>
    public async ValueTask<int> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var config = Config;
            var now = NowMs;
            var segments = Volatile.Read(ref _segments);
            var logStartOffset = LogStartOffset;
            var deletes = config.CleanupPolicy.HasFlag(CleanupPolicy.Delete); // compact alone keeps old segments
            var excess = config.RetentionBytes >= 0 ? SizeInBytes - config.RetentionBytes : long.MinValue;
            var count = 0;
            while (count < segments.Length - 1)
            {
                var segment = segments[count];
                var belowStart = segments[count + 1].BaseOffset <= logStartOffset;
                var expired = deletes && config.RetentionMs >= 0 && now - LargestTimestamp(segment) > config.RetentionMs;
                var oversized = deletes && config.RetentionBytes >= 0 && excess - segment.Size >= 0;
                if (!(belowStart || expired || oversized))
                {
                    break;
                }

                excess -= segment.Size;
                count++;
            }

            DeleteOldestSegments(count);
            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Retention of {Topic}-{Partition} failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Moves <see cref="LogStartOffset"/> forward to <paramref name="offset"/> (Kafka's
    /// DeleteRecords): reads below it fail with OffsetOutOfRange from now on, the new start is
    /// checkpointed before this returns, and closed segments wholly below it are deleted.
    /// An offset at or below the current start changes nothing. Returns the log start offset.
    /// </summary>
    /// <remarks>
    /// A read at the new start still returns the whole batch that contains it, records before the
    /// start included, as Kafka does; consumers skip records below the offset they asked for.
    /// </remarks>
    public async ValueTask<long> DeleteRecordsAsync(long offset, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var logEndOffset = LogEndOffset;
            if (offset < 0 || offset > logEndOffset)
            {
                throw new StorageException(StorageErrorKind.OffsetOutOfRange,
                    $"Cannot delete records below {offset}: outside [0, {logEndOffset}] of {Topic}-{Partition}.");
            }

            if (offset <= LogStartOffset)
            {
                return LogStartOffset;
            }

            Volatile.Write(ref _logStartOffset, offset);
            if (_persistLogStartOffsetAsync is { } persist)
            {
                await persist(this, CancellationToken.None).ConfigureAwait(false);
            }

            var segments = Volatile.Read(ref _segments);
            var count = 0;
            while (count < segments.Length - 1 && segments[count + 1].BaseOffset <= offset)
            {
                count++;
            }

            DeleteOldestSegments(count);
            return offset;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Deleting records of {Topic}-{Partition} failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Removes the first <paramref name="count"/> segments: the new start offset and the shorter
    /// list are published first, so a new reader never picks a doomed segment; a reader already
    /// inside one keeps its lease and the files close when it is done.
    /// </summary>
    private void DeleteOldestSegments(int count)
    {
        if (count == 0)
        {
            return;
        }

        var segments = Volatile.Read(ref _segments);
        var remaining = segments[count..];
        if (remaining[0].BaseOffset > LogStartOffset)
        {
            Volatile.Write(ref _logStartOffset, remaining[0].BaseOffset);
        }

        Volatile.Write(ref _segments, remaining);
        foreach (var segment in segments.AsSpan(0, count))
        {
            segment.Delete();
        }
    }

    private static long LargestTimestamp(LogSegment segment)
        => segment.MaxTimestamp >= 0
            ? segment.MaxTimestamp
            : new DateTimeOffset(File.GetLastWriteTimeUtc(segment.LogPath)).ToUnixTimeMilliseconds();
}
