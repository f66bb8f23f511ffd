using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using static Orka.Storage.RecordBatchLayout;

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
        int length, firstBatchSize;
        try
        {
            var found = await FindBatchAsync(handle, _index.Lookup(offset - BaseOffset), size, header => header.LastOffset >= offset, cancellationToken).ConfigureAwait(false);
            if (found is not var (position, batchSize))
            {
                return null;
            }

            firstBatchSize = batchSize;
            length = (int)Math.Min(size - position, Math.Max(maxBytes, firstBatchSize));
            // Every byte is overwritten by the read: skip zeroing (at fetch sizes the array is a
            // large-object-heap allocation, whose clearing otherwise costs as much as the copy).
            data = GC.AllocateUninitializedArray<byte>(length);
            await ReadExactlyAsync(handle, data, position, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseHandle();
        }

        var end = firstBatchSize;
        while (end + LogOverhead <= length)
        {
            var next = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(end + BatchLengthOffset)) + LogOverhead;
            if (next < HeaderSize || next > length - end
                || BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(end + BaseOffsetOffset)) >= maxOffset)
            {
                break;
            }

            end += next;
        }

        return data.AsMemory(0, end);
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
        try
        {
            var found = await FindBatchAsync(handle, _index.Lookup(offset - BaseOffset), size, header => header.LastOffset >= offset, cancellationToken).ConfigureAwait(false);
            if (found is not var (position, batchSize))
            {
                return null;
            }

            if (batchSize > destination.Length)
            {
                return (0, batchSize);
            }

            length = (int)Math.Min(size - position, destination.Length);
            await ReadExactlyAsync(handle, destination[..length], position, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseHandle();
        }

        var data = destination.Span;
        var end = BinaryPrimitives.ReadInt32BigEndian(data[BatchLengthOffset..]) + LogOverhead;
        while (end + LogOverhead <= length)
        {
            var next = BinaryPrimitives.ReadInt32BigEndian(data[(end + BatchLengthOffset)..]) + LogOverhead;
            if (next < HeaderSize || next > length - end
                || BinaryPrimitives.ReadInt64BigEndian(data[(end + BaseOffsetOffset)..]) >= maxOffset)
            {
                break;
            }

            end += next;
        }

        return (end, end);
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
        long position = _index.Lookup(startOffset - BaseOffset);
        var handle = AcquireHandle();
        try
        {
            while (true)
            {
                var found = await FindBatchAsync(
                    handle,
                    position,
                    size,
                    header => header.LastOffset >= minOffset && header.MaxTimestamp >= timestamp,
                    cancellationToken).ConfigureAwait(false);
                if (found is not var (batchPosition, batchSize))
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
                position = batchPosition + batchSize;
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
        catch (StorageException e) when (e.Kind == StorageErrorKind.CorruptRecord)
        {
            return null;
        }
    }

    /// <summary>
    /// Walks batch headers from <paramref name="position"/> (a batch start) up to
    /// <paramref name="size"/> and returns the first batch that <paramref name="wanted"/> accepts.
    /// </summary>
    private async ValueTask<(long Position, int Size)?> FindBatchAsync(SafeFileHandle handle, long position, long size, Func<RecordBatchHeader, bool> wanted, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderScanChunk);
        try
        {
            long chunkStart = 0;
            var chunkLength = 0;
            while (position < size)
            {
                if (position < chunkStart || position + HeaderSize > chunkStart + chunkLength)
                {
                    chunkLength = (int)Math.Min(buffer.Length, size - position);
                    await ReadExactlyAsync(handle, buffer.AsMemory(0, chunkLength), position, cancellationToken).ConfigureAwait(false);
                    chunkStart = position;
                    if (chunkLength < HeaderSize)
                    {
                        throw new StorageException(StorageErrorKind.CorruptRecord, $"Segment {LogPath} ends inside a batch header at position {position}.");
                    }
                }

                var header = RecordBatchHeader.Read(buffer.AsSpan((int)(position - chunkStart)));
                if (header.BatchLength < MinBatchLength)
                {
                    throw new StorageException(StorageErrorKind.CorruptRecord, $"Segment {LogPath} has a bad batch length at position {position}.");
                }

                if (wanted(header))
                {
                    return (position, header.SizeInBytes);
                }

                position += header.SizeInBytes;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
