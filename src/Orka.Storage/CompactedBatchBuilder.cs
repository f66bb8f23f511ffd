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
        var bodySize = RecordEncoding.BodySize(timestampDelta, offsetDelta, key.Length, record.Key is null, value.Length, record.Value is null, record.Headers);
        var bytes = new byte[RecordEncoding.TotalSize(bodySize)];
        RecordEncoding.Write(bytes, bodySize, timestampDelta, offsetDelta, key, record.Key is null, value, record.Value is null, record.Headers);
        return bytes;
    }
}
