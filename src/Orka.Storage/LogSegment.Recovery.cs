using System.Buffers;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>Opening a segment from disk: trusting it, or walking and validating every batch.</summary>
internal sealed partial class LogSegment
{
    /// <summary>
    /// Finishes opening a segment below the recovery point, which was fsynced and is trusted: walks
    /// only the batch headers after the last index entry to learn where the segment ends.
    /// Returns false if what it finds contradicts the index (then the caller recovers the segment).
    /// </summary>
    public bool LoadTrusted()
    {
        var last = _index.Last;
        var scan = Walk(last?.Position ?? 0, validateCrc: false, expectedFirstOffset: BaseOffset + (last?.RelativeOffset ?? 0), indexIntervalBytes: null);
        if (scan.Problem is not null || scan.Batches == 0 && Size > 0)
        {
            return false;
        }

        if (last is { } entry && ReadHeaderAt(entry.Position)?.BaseOffset != BaseOffset + entry.RelativeOffset)
        {
            return false;
        }

        // The time index's last entry holds the segment's largest timestamp (written when it was rolled).
        var lastTime = _timeIndex.Last;
        if (lastTime is { } t && BaseOffset + t.RelativeOffset >= scan.NextOffset)
        {
            return false;
        }

        _nextOffset = scan.NextOffset;
        (_maxTimestamp, _offsetOfMaxTimestamp) = lastTime is { } time && time.Timestamp >= scan.MaxTimestamp
            ? (time.Timestamp, BaseOffset + time.RelativeOffset)
            : (scan.MaxTimestamp, scan.OffsetOfMaxTimestamp);
        _firstBatchTimestamp = Size > 0 ? ReadHeaderAt(0)?.MaxTimestamp ?? -1 : -1;
        _bytesSinceLastIndexEntry = (int)(Size - (last?.Position ?? 0));
        return true;
    }

    /// <summary>
    /// Validates every batch (length, magic, CRC, offsets increasing from
    /// <paramref name="expectedFirstOffset"/>), truncates the file after the last good one,
    /// and rebuilds the index from what remains. Returns what the walk found.
    /// </summary>
    public SegmentScan Recover(long expectedFirstOffset, int indexIntervalBytes)
    {
        var entries = new List<OffsetIndex.Entry>();
        var timeEntries = new List<TimeIndex.Entry>();
        var scan = Walk(0, validateCrc: true, Math.Max(expectedFirstOffset, BaseOffset), indexIntervalBytes, entries, timeEntries);
        if (scan.ValidBytes < scan.FileBytes)
        {
            var handle = AcquireHandle();
            try
            {
                RandomAccess.SetLength(handle, scan.ValidBytes);
            }
            finally
            {
                ReleaseHandle();
            }
        }

        _index.Reset(entries);
        _timeIndex.Reset(timeEntries);
        _size = scan.ValidBytes;
        _nextOffset = scan.NextOffset;
        _maxTimestamp = scan.MaxTimestamp;
        _offsetOfMaxTimestamp = scan.OffsetOfMaxTimestamp;
        _firstBatchTimestamp = scan.Batches > 0 ? ReadHeaderAt(0)?.MaxTimestamp ?? -1 : -1;
        _bytesSinceLastIndexEntry = (int)(scan.ValidBytes - (entries.Count > 0 ? entries[^1].Position : 0));
        return scan;
    }

    private RecordBatchHeader? ReadHeaderAt(long position)
    {
        Span<byte> bytes = stackalloc byte[HeaderSize];
        var handle = AcquireHandle();
        try
        {
            return RandomAccess.Read(handle, bytes, position) == bytes.Length
                ? RecordBatchHeader.Read(bytes)
                : null;
        }
        finally
        {
            ReleaseHandle();
        }
    }

    /// <summary>
    /// Walks the batches from <paramref name="from"/> to the end of the file in large sequential
    /// reads. With <paramref name="validateCrc"/> the CRC of every batch is checked, streaming
    /// through the bytes so a huge (or hugely corrupt) length never needs a huge buffer.
    /// With <paramref name="indexEntries"/> it also computes the entries of both indexes, at the
    /// points <see cref="AppendAsync"/> would have made them.
    /// </summary>
    private SegmentScan Walk(long from, bool validateCrc, long expectedFirstOffset, int? indexIntervalBytes,
        List<OffsetIndex.Entry>? indexEntries = null, List<TimeIndex.Entry>? timeEntries = null)
    {
        var handle = AcquireHandle();
        var fileBytes = RandomAccess.GetLength(handle);
        var buffer = ArrayPool<byte>.Shared.Rent(RecoveryChunk);
        long chunkStart = 0;
        var chunkLength = 0;
        var position = from;
        var batches = 0;
        var nextOffset = expectedFirstOffset;
        var maxTimestamp = -1L;
        var offsetOfMaxTimestamp = -1L;
        var bytesSinceLastEntry = 0L;
        string? problem = null;

        // Makes [at, at + count) available in the buffer (count <= buffer size and inside the file).
        ReadOnlySpan<byte> Peek(long at, int count)
        {
            if (at < chunkStart || at + count > chunkStart + chunkLength)
            {
                chunkLength = (int)Math.Min(buffer.Length, fileBytes - at);
                var span = buffer.AsSpan(0, chunkLength);
                var filled = 0;
                while (filled < span.Length)
                {
                    var read = RandomAccess.Read(handle, span[filled..], at + filled);
                    if (read == 0)
                    {
                        chunkLength = filled;
                        break;
                    }

                    filled += read;
                }

                chunkStart = at;
            }

            return buffer.AsSpan((int)(at - chunkStart), Math.Min(count, chunkLength - (int)(at - chunkStart)));
        }

        try
        {
            while (position < fileBytes)
            {
                if (fileBytes - position < HeaderSize)
                {
                    problem = $"{fileBytes - position} bytes at position {position} are too few for a batch header (torn write).";
                    break;
                }

                var header = RecordBatchHeader.Read(Peek(position, HeaderSize));
                var size = (long)header.BatchLength + LogOverhead;
                if (header.BatchLength < MinBatchLength || header.Magic != RecordBatchLayout.Magic)
                {
                    problem = $"Batch at position {position} has batchLength {header.BatchLength} and magic {header.Magic}.";
                    break;
                }

                if (size > fileBytes - position)
                {
                    problem = $"Batch at position {position} declares {size} bytes but the file has {fileBytes - position} left (torn write).";
                    break;
                }

                if (header.BaseOffset < nextOffset || header.LastOffsetDelta < 0 || header.LastOffset - BaseOffset > int.MaxValue || position + size > int.MaxValue)
                {
                    problem = $"Batch at position {position} has offsets {header.BaseOffset}..{header.LastOffset}; expected a base offset of at least {nextOffset} within int32 of {BaseOffset}.";
                    break;
                }

                if (validateCrc)
                {
                    var crc = uint.MaxValue;
                    for (var at = position + AttributesOffset; at < position + size;)
                    {
                        var piece = Peek(at, (int)Math.Min(buffer.Length, position + size - at));
                        crc = Crc32C.Append(crc, piece);
                        at += piece.Length;
                    }

                    if (~crc != header.Crc)
                    {
                        problem = $"Batch at position {position} (offset {header.BaseOffset}) fails its CRC-32C check.";
                        break;
                    }
                }

                if (header.MaxTimestamp > maxTimestamp)
                {
                    maxTimestamp = header.MaxTimestamp;
                    offsetOfMaxTimestamp = header.BaseOffset;
                }

                if (indexEntries is not null && bytesSinceLastEntry > indexIntervalBytes)
                {
                    indexEntries.Add(new OffsetIndex.Entry((int)(header.BaseOffset - BaseOffset), (int)position));
                    if (timeEntries is not null && maxTimestamp >= 0
                        && (timeEntries.Count == 0 || maxTimestamp > timeEntries[^1].Timestamp && offsetOfMaxTimestamp - BaseOffset > timeEntries[^1].RelativeOffset))
                    {
                        timeEntries.Add(new TimeIndex.Entry(maxTimestamp, (int)(offsetOfMaxTimestamp - BaseOffset)));
                    }

                    bytesSinceLastEntry = 0;
                }

                bytesSinceLastEntry += size;
                batches++;
                nextOffset = header.LastOffset + 1;
                position += size;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ReleaseHandle();
        }

        return new SegmentScan(position, fileBytes, batches, batches == 0 && from == 0 ? BaseOffset : nextOffset, maxTimestamp, offsetOfMaxTimestamp, problem);
    }
}
