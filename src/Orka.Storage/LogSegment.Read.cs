using System.Buffers;
using Microsoft.Win32.SafeHandles;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>Reading a segment: whole batches by offset, and the first record at or after a timestamp.</summary>
internal sealed partial class LogSegment
{
    /// <summary>
    /// Whole batches from the one containing <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> but at least that one batch, never past the published size nor
    /// a batch starting at or after <paramref name="maxOffset"/> (the caller keeps
    /// <paramref name="offset"/> below it). Null when no batch in this segment reaches
    /// <paramref name="offset"/>. The returned memory is a fresh array the caller owns.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(long offset, int maxBytes, long maxOffset, CancellationToken cancellationToken)
    {
        var size = Size;
        var handle = AcquireHandle();
        byte[] data;
        int length;
        BatchFound first;
        try
        {
            if (await FindBatchAsync(handle, StartFor(offset), size, header => header.LastOffset >= offset, offset, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                return null;
            }

            first = found;
            length = (int)Math.Min(found.End - found.Position, Math.Max(maxBytes, found.Size));
            // Every byte is overwritten by the read: skip zeroing (at fetch sizes the array is a
            // large-object-heap allocation, whose clearing otherwise costs as much as the copy).
            data = GC.AllocateUninitializedArray<byte>(length);
            await ReadExactlyAsync(handle, data, found.Position, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseHandle();
        }

        return data.AsMemory(0, WholeBatchesEnd(data, first, maxOffset));
    }

    /// <summary>
    /// As <see cref="ReadAsync"/>, but into <paramref name="destination"/>: whole batches from the
    /// one containing <paramref name="offset"/>, as many as fit. Returns the bytes written (0 when
    /// the first batch does not fit, with <c>Required</c> its size), or null when no batch in this
    /// segment reaches <paramref name="offset"/>. Nothing is allocated per call.
    /// </summary>
    public async ValueTask<(int Written, int Required)?> ReadIntoAsync(long offset, Memory<byte> destination, long maxOffset, CancellationToken cancellationToken)
    {
        var size = Size;
        var handle = AcquireHandle();
        int length;
        BatchFound first;
        try
        {
            if (await FindBatchAsync(handle, StartFor(offset), size, header => header.LastOffset >= offset, offset, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                return null;
            }

            if (found.Size > destination.Length)
            {
                return (0, found.Size);
            }

            first = found;
            length = (int)Math.Min(found.End - found.Position, destination.Length);
            await ReadExactlyAsync(handle, destination[..length], found.Position, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseHandle();
        }

        var end = WholeBatchesEnd(destination.Span[..length], first, maxOffset);
        return (end, end);
    }

    /// <summary>
    /// How many bytes of <paramref name="data"/> (read from the found batch's position) are whole
    /// batches that may be returned: the first one, then each next one whose header is sane
    /// (see <see cref="SegmentVerifier"/>), that is not known to be corrupt, and that starts below
    /// <paramref name="maxOffset"/>. A bad header ends the read there; the next read meets it first.
    /// </summary>
    private int WholeBatchesEnd(ReadOnlySpan<byte> data, BatchFound first, long maxOffset)
    {
        var end = first.Size;
        var expected = first.Header.LastOffset + 1;
        var limit = first.Position + data.Length;
        while (end + HeaderSize <= data.Length)
        {
            var position = first.Position + end;
            var header = RecordBatchHeader.Read(data[end..]);
            if (header.BaseOffset >= maxOffset || IsKnownCorrupt(position)
                || SegmentVerifier.CheckHeader(header, position, limit, expected, long.MaxValue) is not null)
            {
                break;
            }

            end += header.SizeInBytes;
            expected = header.LastOffset + 1;
        }

        return end;
    }

    /// <summary>
    /// The offset of the first record at or after <paramref name="minOffset"/> whose timestamp is
    /// at least <paramref name="timestamp"/>, or null if this segment has none.
    /// </summary>
    /// <remarks>
    /// The time index narrows the search to the last ~index.interval.bytes before the answer; batch
    /// headers are walked from there, and only the batch found is decoded to pick the record. If
    /// that batch cannot be decoded (a compressed payload the producer got wrong) its base offset is
    /// returned: the consumer then starts a few records early, never late.
    /// </remarks>
    public async ValueTask<long?> FindOffsetByTimestampAsync(long timestamp, long minOffset, CancellationToken cancellationToken)
    {
        if (MaxTimestamp < timestamp)
        {
            return null;
        }

        var size = Size;
        var startOffset = Math.Max(BaseOffset + _timeIndex.Lookup(timestamp), minOffset);
        var start = StartFor(startOffset);
        var handle = AcquireHandle();
        try
        {
            while (true)
            {
                var found = await FindBatchAsync(
                    handle,
                    start,
                    size,
                    header => header.LastOffset >= minOffset && header.MaxTimestamp >= timestamp,
                    failFromOffset: null, // a corrupt range is stepped over: its timestamps are unknown
                    cancellationToken).ConfigureAwait(false);
                if (found is not { Position: var batchPosition, Size: var batchSize })
                {
                    return null;
                }

                var batch = new byte[batchSize];
                await ReadExactlyAsync(handle, batch, batchPosition, cancellationToken).ConfigureAwait(false);
                var header = RecordBatchHeader.Read(batch);
                if (header.IsLogAppendTime || FirstRecordAtOrAfter(batch, minOffset, timestamp) is not { } offset)
                {
                    return Math.Max(header.BaseOffset, minOffset);
                }

                if (offset >= 0)
                {
                    return offset;
                }

                // The late records of this batch lie below minOffset (or it is a control batch): look further.
                start = (batchPosition + batchSize, header.LastOffset + 1);
            }
        }
        finally
        {
            ReleaseHandle();
        }
    }

    /// <summary>
    /// The offset of the first record of <paramref name="batch"/> at or above both bounds, -1 if
    /// none is, or null when the records cannot be decoded (a compressed payload the producer got
    /// wrong: the CRC only vouches that the bytes are the ones it sent), so the lookup answers with
    /// the batch's base offset as it does for log-append-time batches.
    /// </summary>
    private static long? FirstRecordAtOrAfter(byte[] batch, long minOffset, long timestamp)
    {
        try
        {
            foreach (var record in RecordBatchReader.ReadRecords(batch))
            {
                if (record.Offset >= minOffset && record.Timestamp >= timestamp)
                {
                    return record.Offset;
                }
            }

            return -1;
        }
        catch (CorruptRecordException)
        {
            return null;
        }
    }

    /// <summary>Where a walk for <paramref name="offset"/> starts: the last indexed batch at or below it, and that batch's base offset.</summary>
    private (long Position, long ExpectedOffset) StartFor(long offset)
        => _index.Floor(offset - BaseOffset) is { } entry ? (entry.Position, BaseOffset + entry.RelativeOffset) : (0, BaseOffset);

    /// <summary>
    /// Walks batch headers from <paramref name="start"/> (a batch start, and the lowest base offset
    /// a batch there may have) up to <paramref name="size"/> and returns the first batch that
    /// <paramref name="wanted"/> accepts. Every header is checked (<see cref="SegmentVerifier.CheckHeader"/>);
    /// a bad one, or one known bad, is a corrupt range: the walk throws CorruptRecord (with
    /// <see cref="StorageException.Corruption"/>) if the range reaches <paramref name="failFromOffset"/>,
    /// and otherwise goes on after it.
    /// </summary>
    private async ValueTask<BatchFound?> FindBatchAsync(SafeFileHandle handle, (long Position, long ExpectedOffset) start, long size,
        Func<RecordBatchHeader, bool> wanted, long? failFromOffset, CancellationToken cancellationToken)
    {
        var (position, expected) = start;
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderScanChunk);
        try
        {
            long chunkStart = 0;
            var chunkLength = 0;
            while (position < size)
            {
                CorruptBatchRange? corrupt = KnownCorruptionAt(position);
                RecordBatchHeader header = default;
                if (corrupt is null)
                {
                    if (position < chunkStart || position + HeaderSize > chunkStart + chunkLength)
                    {
                        chunkLength = await ReadAvailableAsync(handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - position)), position, cancellationToken).ConfigureAwait(false);
                        chunkStart = position;
                        if (chunkLength < buffer.Length && position + chunkLength < size)
                        {
                            size = position + chunkLength; // the file is shorter than its published size
                        }
                    }

                    string? problem;
                    if (size - position < HeaderSize)
                    {
                        problem = $"only {size - position} bytes are left, too few for a batch header (truncated)";
                    }
                    else
                    {
                        header = RecordBatchHeader.Read(buffer.AsSpan((int)(position - chunkStart)));
                        problem = SegmentVerifier.CheckHeader(header, position, BatchLimit(position, size), expected, NextOffset);
                    }

                    if (problem is not null)
                    {
                        corrupt = DescribeCorruption(position, size, expected, problem);
                    }
                }

                if (corrupt is not null)
                {
                    if (corrupt.LastOffset >= failFromOffset)
                    {
                        throw new StorageException(StorageErrorKind.CorruptRecord, $"Unreadable {corrupt}") { Corruption = corrupt };
                    }

                    position = corrupt.EndPosition;
                    expected = corrupt.LastOffset + 1;
                    continue;
                }

                if (wanted(header))
                {
                    return new BatchFound(position, header, size);
                }

                position += header.SizeInBytes;
                expected = header.LastOffset + 1;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads what the file has of <paramref name="destination"/>'s length from <paramref name="position"/>.</summary>
    private static async ValueTask<int> ReadAvailableAsync(SafeFileHandle handle, Memory<byte> destination, long position, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, destination[filled..], position + filled, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>A batch a walk found: where it starts, its header, and where the readable part of the segment ends.</summary>
    private readonly record struct BatchFound(long Position, RecordBatchHeader Header, long End)
    {
        public int Size => Header.SizeInBytes;
    }
}
