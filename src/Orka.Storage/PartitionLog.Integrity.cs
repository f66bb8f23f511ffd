using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// Corruption at rest: reporting what reads find, verifying every batch on demand, and the
/// explicit repair that skips a corrupt range (see <c>FORMAT.md</c>, "Corruption at rest").
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Called once for each corrupt range this log finds, by a read or by <see cref="VerifyAsync"/>
    /// (not once per read that meets it): the node logs it. Called on the finding thread; must not throw.
    /// </summary>
    public Action<PartitionLog, CorruptBatchRange>? CorruptionFound { get; set; }

    /// <summary>The corrupt ranges found so far in the current segments (reads and verify find them; a skip removes them).</summary>
    public IReadOnlyList<CorruptBatchRange> KnownCorruption
        => [.. Volatile.Read(ref _segments).SelectMany(segment => segment.KnownCorruption).OrderBy(range => range.FirstOffset)];

    /// <summary>
    /// Walks every batch of every segment, checking its header and CRC-32C (see
    /// <see cref="SegmentVerifier"/>), and reports each bad range with its segment and position.
    /// Reads the whole log once, sequentially, off the caller's thread; reads and appends go on
    /// meanwhile (appends after the walk started may not be covered).
    /// </summary>
    public async ValueTask<LogVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return await Task.Run(() =>
        {
            var ranges = new List<CorruptBatchRange>();
            long batches = 0, bytes = 0;
            var segmentsChecked = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (!segment.TryAcquire())
                {
                    continue; // deleted by retention or replaced by compaction meanwhile
                }

                try
                {
                    var (found, count) = segment.Verify(cancellationToken);
                    foreach (var range in found)
                    {
                        Report(segment, range);
                    }

                    ranges.AddRange(found);
                    batches += count;
                    bytes += segment.Size;
                    segmentsChecked++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new StorageException(StorageErrorKind.Io, $"Verifying {Topic}-{Partition} failed: {e.Message}", e);
                }
                finally
                {
                    segment.Release();
                }
            }

            return new LogVerification(segmentsChecked, batches, bytes, ranges);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The explicit repair for corruption: rewrites each closed segment that holds offsets
    /// <paramref name="fromOffset"/>..<paramref name="toOffset"/> without them, keeping every other
    /// batch byte for byte at its offset. The skipped offsets become a gap, as compaction makes:
    /// offsets stay monotonic, a fetch inside the gap gets the next batch after it, and a consumer
    /// positioned past it is unaffected. Every corrupt range in those segments must lie inside the
    /// skipped offsets and no valid batch may straddle their bounds (else InvalidRequest-like
    /// CorruptRecord with nothing changed): the operator skips what verify printed, or more.
    /// </summary>
    /// <remarks>
    /// The rewrite goes through the compaction swap (<c>.cleaned</c> files, renamed in, see
    /// <see cref="SegmentSwap"/>), so a crash leaves the old or the new segment, never a mix; it
    /// holds the cleaner lock, so it never runs beside a compaction. The active segment cannot be
    /// skipped in (recovery truncates a bad tail there at the next start).
    /// </remarks>
    public async ValueTask<SkipReport> SkipCorruptAsync(long fromOffset, long toOffset, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (fromOffset > toOffset || fromOffset < LogStartOffset || toOffset >= LogEndOffset)
        {
            throw new StorageException(StorageErrorKind.OffsetOutOfRange,
                $"Cannot skip {fromOffset}..{toOffset} of {Topic}-{Partition}: it must be a non-empty range within [{LogStartOffset}, {LogEndOffset}).");
        }

        await _cleanerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var config = Config;
            int rewritten = 0;
            long batches = 0, bytes = 0;
            var segments = Volatile.Read(ref _segments);
            for (var i = 0; i < segments.Length; i++)
            {
                var segment = segments[i];
                if (segment.NextOffset <= fromOffset || segment.BaseOffset > toOffset)
                {
                    continue;
                }

                if (i == segments.Length - 1)
                {
                    throw new StorageException(StorageErrorKind.CorruptRecord,
                        $"Offsets {fromOffset}..{toOffset} of {Topic}-{Partition} reach the active segment, which cannot be rewritten; skip only offsets below {segment.BaseOffset}.");
                }

                var (droppedBatches, droppedBytes) = await Task.Run(() => WriteWithout(segment, fromOffset, toOffset, config), cancellationToken).ConfigureAwait(false);
                if (!await SwapAsync([segment], segment.BaseOffset, config).ConfigureAwait(false))
                {
                    throw new StorageException(StorageErrorKind.Io, $"Segment {segment.BaseOffset} of {Topic}-{Partition} changed during the repair; nothing was changed in it. Try again.");
                }

                rewritten++;
                batches += droppedBatches;
                bytes += droppedBytes;
            }

            return new SkipReport(fromOffset, toOffset, rewritten, batches, bytes);
        }
        finally
        {
            _cleanerLock.Release();
        }
    }

    /// <summary>Writes the <c>.cleaned</c> copy of <paramref name="segment"/> without the batches and corrupt bytes in [from, to].</summary>
    private (long Batches, long Bytes) WriteWithout(LogSegment segment, long fromOffset, long toOffset, LogConfig config)
    {
        if (!segment.TryAcquire())
        {
            throw new StorageException(StorageErrorKind.Io, $"Segment {segment.BaseOffset} of {Topic}-{Partition} was removed during the repair.");
        }

        var writer = new CleanedSegmentWriter(_directory, segment.BaseOffset, config.IndexIntervalBytes);
        try
        {
            var (corrupt, _) = segment.Verify(CancellationToken.None);
            foreach (var range in corrupt)
            {
                if (range.FirstOffset <= range.LastOffset && (range.FirstOffset < fromOffset || range.LastOffset > toOffset))
                {
                    throw new StorageException(StorageErrorKind.CorruptRecord,
                        $"The corrupt {range} of {Topic}-{Partition} is not inside {fromOffset}..{toOffset}; skip at least {range.FirstOffset}..{range.LastOffset}.");
                }
            }

            long droppedBatches = 0, droppedBytes = 0, position = 0;
            var header = new byte[HeaderSize];
            var size = segment.Size;
            while (position < size)
            {
                if (corrupt.Find(range => range.Position == position) is { } bad)
                {
                    droppedBytes += bad.EndPosition - bad.Position;
                    position = bad.EndPosition;
                    continue;
                }

                segment.ReadAt(header, position);
                var batchHeader = RecordBatchHeader.Read(header);
                var batch = new byte[batchHeader.SizeInBytes];
                segment.ReadAt(batch, position);
                position += batch.Length;
                var inside = batchHeader.BaseOffset >= fromOffset && batchHeader.LastOffset <= toOffset;
                var outside = batchHeader.LastOffset < fromOffset || batchHeader.BaseOffset > toOffset;
                if (!inside && !outside)
                {
                    throw new StorageException(StorageErrorKind.CorruptRecord,
                        $"The batch at offsets {batchHeader.BaseOffset}..{batchHeader.LastOffset} of {Topic}-{Partition} straddles a bound of {fromOffset}..{toOffset}; skip whole batches.");
                }

                if (inside)
                {
                    droppedBatches++;
                    droppedBytes += batch.Length;
                    continue;
                }

                writer.Append(batch, batchHeader);
            }

            writer.Complete();
            DurableFile.SyncDirectory(_directory);
            return (droppedBatches, droppedBytes);
        }
        catch
        {
            writer.Abandon();
            throw;
        }
        finally
        {
            segment.Release();
        }
    }

    /// <summary>The error a read that reached a corrupt range fails with; reports the range the first time.</summary>
    private StorageException CorruptionError(LogSegment segment, CorruptBatchRange corruption, StorageException inner)
    {
        Report(segment, corruption);
        return new StorageException(StorageErrorKind.CorruptRecord,
            $"Offsets {corruption.FirstOffset}..{corruption.LastOffset} of {Topic}-{Partition} are unreadable: {corruption.Problem} (segment {corruption.SegmentFile}, position {corruption.Position}).",
            inner)
        { Corruption = corruption };
    }

    private void Report(LogSegment segment, CorruptBatchRange range)
    {
        if (segment.ClaimReport(range.Position))
        {
            CorruptionFound?.Invoke(this, range);
        }
    }
}
