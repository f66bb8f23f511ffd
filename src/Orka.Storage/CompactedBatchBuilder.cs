using System.Buffers.Binary;
using System.Text;
using static Orka.Storage.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// Re-encodes the records the log cleaner keeps from one batch into a new, uncompressed
/// RecordBatch v2 (layout in <c>FORMAT.md</c>) that covers the same offsets as the original.
/// </summary>
/// <remarks>
/// <para>Offsets are preserved: the new batch keeps the original <c>baseOffset</c> and
/// <c>lastOffsetDelta</c>, and each record keeps its offset delta, so the deltas may have gaps and
/// the first record's delta may be above 0 (Kafka's cleaner also preserves the last offset of a
/// v2 batch). <c>partitionLeaderEpoch</c>, the producer fields and the transactional bit are copied;
/// compression is dropped and timestamps become create time, each record keeping the timestamp a
/// reader saw before.</para>
/// <para>With a delete horizon, attribute bit 6 is set and <c>baseTimestamp</c> holds the horizon
/// instead of the first record's timestamp (as in Kafka since KIP-534); record timestamp deltas are
/// taken against it, so they may be negative.</para>
/// </remarks>
internal static class CompactedBatchBuilder
{
    public static byte[] Build(RecordBatchHeader original, IReadOnlyList<Record> records, long? deleteHorizonMs)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("A rewritten batch keeps at least one record; drop the batch instead.", nameof(records));
        }

        var maxTimestamp = records.Max(r => r.Timestamp);
        var baseTimestamp = deleteHorizonMs ?? records[0].Timestamp;
        var encoded = new List<byte[]>(records.Count);
        var recordsLength = 0;
        foreach (var record in records)
        {
            var bytes = EncodeRecord(record, record.Timestamp - baseTimestamp, checked((int)(record.Offset - original.BaseOffset)));
            encoded.Add(bytes);
            recordsLength += bytes.Length;
        }

        var batch = new byte[HeaderSize + recordsLength];
        var span = batch.AsSpan();
        var attributes = (short)(original.Attributes & TransactionalFlag);
        if (deleteHorizonMs is not null)
        {
            attributes |= DeleteHorizonFlag;
        }

        BinaryPrimitives.WriteInt64BigEndian(span[BaseOffsetOffset..], original.BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[BatchLengthOffset..], batch.Length - LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[PartitionLeaderEpochOffset..], original.PartitionLeaderEpoch);
        span[MagicOffset] = Magic;
        BinaryPrimitives.WriteInt16BigEndian(span[AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(span[LastOffsetDeltaOffset..], original.LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(span[BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[ProducerIdOffset..], original.ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[ProducerEpochOffset..], original.ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[BaseSequenceOffset..], original.BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordCountOffset..], records.Count);
        var at = RecordsOffset;
        foreach (var bytes in encoded)
        {
            bytes.CopyTo(span[at..]);
            at += bytes.Length;
        }

        BinaryPrimitives.WriteUInt32BigEndian(span[CrcOffset..], Crc32C.Compute(span[AttributesOffset..]));
        return batch;
    }

    private static byte[] EncodeRecord(Record record, long timestampDelta, int offsetDelta)
    {
        var key = record.Key is { } k ? k.Span : default;
        var value = record.Value is { } v ? v.Span : default;
        var bodySize = 1
            + Varint.SizeOfInt64(timestampDelta)
            + Varint.SizeOfInt32(offsetDelta)
            + SizeOfBytes(key.Length, record.Key is null)
            + SizeOfBytes(value.Length, record.Value is null)
            + Varint.SizeOfInt32(record.Headers.Count);
        foreach (var header in record.Headers)
        {
            bodySize += SizeOfBytes(Encoding.UTF8.GetByteCount(header.Key), isNull: false)
                + SizeOfBytes(header.Value?.Length ?? 0, header.Value is null);
        }

        var bytes = new byte[Varint.SizeOfInt32(bodySize) + bodySize];
        var span = bytes.AsSpan();
        var at = Varint.WriteInt32(span, bodySize);
        span[at++] = 0; // record attributes: unused in v2
        at += Varint.WriteInt64(span[at..], timestampDelta);
        at += Varint.WriteInt32(span[at..], offsetDelta);
        at += WriteBytes(span[at..], key, record.Key is null);
        at += WriteBytes(span[at..], value, record.Value is null);
        at += Varint.WriteInt32(span[at..], record.Headers.Count);
        foreach (var header in record.Headers)
        {
            at += Varint.WriteInt32(span[at..], Encoding.UTF8.GetByteCount(header.Key));
            at += Encoding.UTF8.GetBytes(header.Key, span[at..]);
            at += WriteBytes(span[at..], header.Value is { } hv ? hv.Span : default, header.Value is null);
        }

        return bytes;
    }

    private static int SizeOfBytes(int length, bool isNull)
        => isNull ? Varint.SizeOfInt32(-1) : Varint.SizeOfInt32(length) + length;

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return Varint.WriteInt32(destination, -1);
        }

        var at = Varint.WriteInt32(destination, bytes.Length);
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }
}
