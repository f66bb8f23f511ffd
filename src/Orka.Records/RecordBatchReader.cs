using System.Text;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Records;

/// <summary>
/// Decodes the records of a buffer of consecutive RecordBatch v2 batches (layout in <c>FORMAT.md</c>).
/// Uncompressed batches are decoded in place: keys and values are slices of the caller's buffer.
/// Compressed batches (gzip, snappy in raw or xerial framing, lz4 frames, zstd frames) are
/// decompressed into one new buffer per batch, bounded by a limit. Control batches (transaction
/// markers) are skipped, as a Kafka consumer does.
/// </summary>
public static class RecordBatchReader
{
    /// <summary>
    /// The default bound on one batch's decompressed records: 64 MiB, 64 times Kafka's default
    /// max.message.bytes. A batch that would inflate past it is refused as corrupt (a decompression
    /// bomb) instead of being allowed to exhaust memory.
    /// </summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Every record of every whole batch in <paramref name="batches"/>, in order; a trailing partial
    /// batch is ignored. Throws <see cref="CorruptRecordException"/> on a bad batch,
    /// including a compressed one whose records would exceed <see cref="DefaultMaxDecompressedBytes"/>.
    /// </summary>
    public static IEnumerable<Record> ReadRecords(ReadOnlyMemory<byte> batches)
        => ReadRecords(batches, DefaultMaxDecompressedBytes);

    /// <summary>
    /// As <see cref="ReadRecords(ReadOnlyMemory{byte})"/>, refusing (<see cref="CorruptRecordException"/>) a compressed batch
    /// whose records would take more than <paramref name="maxDecompressedBytes"/> once decompressed.
    /// </summary>
    public static IEnumerable<Record> ReadRecords(ReadOnlyMemory<byte> batches, int maxDecompressedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDecompressedBytes);
        return ReadRecordsCore(batches, maxDecompressedBytes);
    }

    private static IEnumerable<Record> ReadRecordsCore(ReadOnlyMemory<byte> batches, int maxDecompressedBytes)
    {
        var position = 0;
        while (true)
        {
            var remaining = batches[position..];
            var status = RecordBatchHeader.Check(remaining.Span, out var header, out var problem);
            if (status == BatchStatus.Incomplete)
            {
                yield break; // a fetch may end inside a batch; that is not corruption
            }

            if (status == BatchStatus.Corrupt)
            {
                throw new CorruptRecordException($"Batch at byte {position}: {problem}");
            }

            var batch = remaining[..header.SizeInBytes];
            position += header.SizeInBytes;
            if (header.IsControl)
            {
                continue;
            }

            foreach (var record in DecodeBatch(header, batch, maxDecompressedBytes))
            {
                yield return record;
            }
        }
    }

    private static List<Record> DecodeBatch(RecordBatchHeader header, ReadOnlyMemory<byte> batch, int maxDecompressedBytes)
    {
        var records = RecordBatchCodec.Decompress(header, batch[RecordsOffset..], maxDecompressedBytes);
        if (header.RecordCount > records.Length / RecordBatchCodec.MinRecordSize)
        {
            // Checked before the list is sized by it: a forged count must not allocate gigabytes.
            throw Corrupt(header, 0, $"recordCount {header.RecordCount} cannot fit in {records.Length} bytes of records");
        }

        var result = new List<Record>(header.RecordCount);
        var position = 0;
        for (var i = 0; i < header.RecordCount; i++)
        {
            var span = records.Span[position..];
            if (!Varint.TryReadInt32(span, out var length, out var lengthSize) || length < 0 || length > span.Length - lengthSize)
            {
                throw Corrupt(header, i, "record length is invalid or runs past the batch");
            }

            var body = records.Slice(position + lengthSize, length);
            result.Add(DecodeRecord(header, body, i));
            position += lengthSize + length;
        }

        if (position != records.Length)
        {
            throw Corrupt(header, header.RecordCount, $"{records.Length - position} bytes follow the last record");
        }

        return result;
    }

    private static Record DecodeRecord(RecordBatchHeader header, ReadOnlyMemory<byte> body, int index)
    {
        var span = body.Span;
        var at = 1; // record attributes: unused in v2
        if (span.Length < 1
            || !Varint.TryReadInt64(span[at..], out var timestampDelta, out var n1)
            || !Varint.TryReadInt32(span[(at += n1)..], out var offsetDelta, out var n2))
        {
            throw Corrupt(header, index, "truncated record prefix");
        }

        at += n2;
        var key = ReadBytes(header, body, ref at, index);
        var value = ReadBytes(header, body, ref at, index);
        if (!Varint.TryReadInt32(span[at..], out var headerCount, out var n3) || headerCount < 0)
        {
            throw Corrupt(header, index, "invalid header count");
        }

        at += n3;
        var headers = headerCount == 0 ? (IReadOnlyList<RecordHeader>)[] : new RecordHeader[headerCount];
        for (var h = 0; h < headerCount; h++)
        {
            var headerKey = ReadBytes(header, body, ref at, index)
                ?? throw Corrupt(header, index, "a header key is null");
            ((RecordHeader[])headers)[h] = new RecordHeader(Encoding.UTF8.GetString(headerKey.Span), ReadBytes(header, body, ref at, index));
        }

        if (at != body.Length)
        {
            throw Corrupt(header, index, $"record declares {body.Length} bytes but its fields take {at}");
        }

        var timestamp = header.IsLogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + timestampDelta;
        return new Record(header.BaseOffset + offsetDelta, timestamp, key, value, headers);
    }

    private static ReadOnlyMemory<byte>? ReadBytes(RecordBatchHeader header, ReadOnlyMemory<byte> body, ref int at, int index)
    {
        if (!Varint.TryReadInt32(body.Span[at..], out var length, out var n) || length < -1 || length > body.Length - at - n)
        {
            throw Corrupt(header, index, "a key, value or header length is invalid or runs past the record");
        }

        at += n;
        if (length == -1)
        {
            return null;
        }

        var bytes = body.Slice(at, length);
        at += length;
        return bytes;
    }

    private static CorruptRecordException Corrupt(RecordBatchHeader header, int index, string problem)
        => new($"Batch at offset {header.BaseOffset}, record {index}: {problem}.");
}
