using System.IO.Compression;
using System.Text;
using static Orka.Storage.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// Decodes the records of a buffer of consecutive RecordBatch v2 batches (layout in <c>FORMAT.md</c>).
/// Uncompressed batches are decoded in place: keys and values are slices of the caller's buffer.
/// Gzip batches are inflated into a new buffer per batch. Snappy, LZ4 and Zstd are not decoded yet
/// and throw. Control batches (transaction markers) are skipped, as a Kafka consumer does.
/// </summary>
public static class RecordBatchReader
{
    /// <summary>
    /// Every record of every whole batch in <paramref name="batches"/>, in order; a trailing partial
    /// batch is ignored. Throws <see cref="StorageException"/> (CorruptRecord) on a bad batch.
    /// </summary>
    public static IEnumerable<Record> ReadRecords(ReadOnlyMemory<byte> batches)
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
                throw new StorageException(StorageErrorKind.CorruptRecord, $"Batch at byte {position}: {problem}");
            }

            var batch = remaining[..header.SizeInBytes];
            position += header.SizeInBytes;
            if (header.IsControl)
            {
                continue;
            }

            foreach (var record in DecodeBatch(header, batch))
            {
                yield return record;
            }
        }
    }

    private static List<Record> DecodeBatch(RecordBatchHeader header, ReadOnlyMemory<byte> batch)
    {
        var records = Decompress(header, batch[RecordsOffset..]);
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

    private static ReadOnlyMemory<byte> Decompress(RecordBatchHeader header, ReadOnlyMemory<byte> records)
    {
        switch (header.Compression)
        {
            case RecordBatchCompression.None:
                return records;
            case RecordBatchCompression.Gzip:
                try
                {
                    using var input = new MemoryStream(records.ToArray(), writable: false);
                    using var gzip = new GZipStream(input, CompressionMode.Decompress);
                    using var output = new MemoryStream();
                    gzip.CopyTo(output);
                    return output.ToArray();
                }
                catch (InvalidDataException e)
                {
                    throw new StorageException(StorageErrorKind.CorruptRecord, $"Batch at offset {header.BaseOffset}: gzip data is invalid.", e);
                }

            default:
                throw new StorageException(
                    StorageErrorKind.CorruptRecord,
                    $"Batch at offset {header.BaseOffset} uses {header.Compression} compression (attributes 0x{header.Attributes:X4}); only none and gzip can be decoded yet.");
        }
    }

    private static StorageException Corrupt(RecordBatchHeader header, int index, string problem)
        => new(StorageErrorKind.CorruptRecord, $"Batch at offset {header.BaseOffset}, record {index}: {problem}.");
}
