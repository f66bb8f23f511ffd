namespace Orka.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Whole batches from the one containing <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> but always at least one batch. An offset equal to
    /// <see cref="LogEndOffset"/> returns no bytes; outside [start, end] throws OffsetOutOfRange.
    /// </summary>
    /// <remarks>
    /// Batches come from one segment per call, as in Kafka; the next read continues in the next
    /// one. Never returns a batch at or past the <see cref="FetchDataInfo.LogEndOffset"/> it reports,
    /// even while appends run.
    /// </remarks>
    public ValueTask<FetchDataInfo> ReadAsync(long offset, int maxBytes, CancellationToken cancellationToken = default)
        => ReadAsync(offset, maxBytes, long.MaxValue, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAsync(long, int, CancellationToken)"/>, but stops before the first batch
    /// that starts at or after <paramref name="maxOffset"/>, such as a high watermark (batches are
    /// never split, so <paramref name="maxOffset"/> should be a batch boundary, as a log end offset
    /// or recovery point always is). An <paramref name="offset"/> at or past
    /// <paramref name="maxOffset"/> (and within the log) returns no bytes.
    /// </summary>
    public async ValueTask<FetchDataInfo> ReadAsync(long offset, int maxBytes, long maxOffset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var (data, start, end) = await ReadSegmentsAsync(
            offset, maxOffset, (segment, limit, ct) => segment.ReadAsync(offset, maxBytes, limit, ct), cancellationToken).ConfigureAwait(false);
        return new FetchDataInfo(data ?? ReadOnlyMemory<byte>.Empty, start, end);
    }

    /// <summary>
    /// The allocation-free read: as <see cref="ReadAsync(long, int, long, CancellationToken)"/>, but
    /// whole batches go into <paramref name="destination"/> (as many as fit), so a caller that reuses
    /// or pools its buffer reads without allocating. If the first batch is larger than the buffer,
    /// nothing is read and <see cref="ReadIntoResult.RequiredBytes"/> gives the size it needs.
    /// </summary>
    public async ValueTask<ReadIntoResult> ReadIntoAsync(long offset, Memory<byte> destination, long maxOffset = long.MaxValue, CancellationToken cancellationToken = default)
    {
        var (read, start, end) = await ReadSegmentsAsync(
            offset, maxOffset, (segment, limit, ct) => segment.ReadIntoAsync(offset, destination, limit, ct), cancellationToken).ConfigureAwait(false);
        return read is var (written, required)
            ? new ReadIntoResult(written, required, start, end)
            : new ReadIntoResult(0, 0, start, end);
    }

    /// <summary>
    /// The offset checks and segment walk both reads share: finds the segment holding
    /// <paramref name="offset"/> and lets <paramref name="read"/> read it (with the read limit
    /// min(<paramref name="maxOffset"/>, log end)). Null when there is nothing to read. A segment
    /// deleted or closed under the walk makes it start over with fresh offsets.
    /// </summary>
    private async ValueTask<(T? Value, long LogStartOffset, long LogEndOffset)> ReadSegmentsAsync<T>(
        long offset, long maxOffset, Func<LogSegment, long, CancellationToken, ValueTask<T?>> read, CancellationToken cancellationToken)
        where T : struct
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var logEndOffset = LogEndOffset;
            var logStartOffset = LogStartOffset;
            if (offset < logStartOffset || offset > logEndOffset)
            {
                throw new StorageException(StorageErrorKind.OffsetOutOfRange,
                    $"Offset {offset} is outside [{logStartOffset}, {logEndOffset}] of {Topic}-{Partition}.");
            }

            var limit = Math.Min(maxOffset, logEndOffset);
            if (offset >= limit)
            {
                return (null, logStartOffset, logEndOffset);
            }

            var segments = Volatile.Read(ref _segments);
            var raced = false;
            for (var i = FindSegment(segments, offset); i < segments.Length && !raced; i++)
            {
                var segment = segments[i];
                if (!segment.TryAcquire())
                {
                    raced = true; // deleted or closed under us: look again with fresh offsets
                    continue;
                }

                try
                {
                    if (await read(segment, limit, cancellationToken).ConfigureAwait(false) is { } value)
                    {
                        return (value, logStartOffset, logEndOffset);
                    }
                }
                catch (StorageException e) when (e.Corruption is { } corruption)
                {
                    throw CorruptionError(segment, corruption, e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new StorageException(StorageErrorKind.Io, $"Reading {Topic}-{Partition} at offset {offset} failed: {e.Message}", e);
                }
                finally
                {
                    segment.Release();
                }
            }

            if (!raced)
            {
                // Only reachable if offsets have a gap at the end, which appends never make.
                return (null, logStartOffset, logEndOffset);
            }
        }
    }

    /// <summary>
    /// The offset of the first record at or after <see cref="LogStartOffset"/> whose timestamp is
    /// at least <paramref name="timestamp"/>, or null when every record is older (Kafka's
    /// ListOffsets by time). Uses the segments' largest timestamps and time indexes, so it reads
    /// about one index interval of headers and decodes one batch.
    /// </summary>
    public async ValueTask<long?> OffsetForTimestampAsync(long timestamp, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var logStartOffset = LogStartOffset;
            var segments = Volatile.Read(ref _segments);
            var raced = false;
            foreach (var segment in segments)
            {
                if (segment.NextOffset <= logStartOffset || segment.MaxTimestamp < timestamp)
                {
                    continue;
                }

                if (!segment.TryAcquire())
                {
                    raced = true;
                    break;
                }

                try
                {
                    if (await segment.FindOffsetByTimestampAsync(timestamp, logStartOffset, cancellationToken).ConfigureAwait(false) is { } offset)
                    {
                        return offset;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new StorageException(StorageErrorKind.Io, $"Searching {Topic}-{Partition} by timestamp failed: {e.Message}", e);
                }
                finally
                {
                    segment.Release();
                }
            }

            if (!raced)
            {
                return null;
            }
        }
    }
}
