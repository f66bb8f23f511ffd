using System.Buffers;
using System.Buffers.Binary;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// Re-encodes the records the log cleaner keeps from one batch into a new RecordBatch v2,
/// compressed with the original batch's codec, (layout in <c>FORMAT.md</c>) that covers the same offsets as the original.
/// </summary>
/// <remarks>
/// <para>Offsets are preserved: the new batch keeps the original <c>baseOffset</c> and
/// <c>lastOffsetDelta</c>, and each record keeps its offset delta, so the deltas may have gaps and
/// the first record's delta may be above 0 (Kafka's cleaner also preserves the last offset of a
/// v2 batch). <c>partitionLeaderEpoch</c>, the producer fields and the transactional bit are copied;
/// the records are compressed again with the original codec (as Kafka's cleaner does, so a
/// compacted log stays as small as the producer made it), and timestamps become create time, each
/// record keeping the timestamp a reader saw before.</para>
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
        var encoded = new ArrayBufferWriter<byte>();
        foreach (var record in records)
        {
            EncodeRecord(encoded, record, record.Timestamp - baseTimestamp, checked((int)(record.Offset - original.BaseOffset)));
        }

        var payload = encoded.WrittenSpan;
        if (original.Compression != RecordBatchCompression.None)
        {
            var compressed = new ArrayBufferWriter<byte>();
            RecordBatchCodec.Compress(original.Compression, payload, compressed);
            payload = compressed.WrittenSpan;
        }

        var batch = new byte[HeaderSize + payload.Length];
        var span = batch.AsSpan();
        var attributes = (short)(original.Attributes & (TransactionalFlag | CompressionMask));
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
        payload.CopyTo(span[RecordsOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[CrcOffset..], Crc32C.Compute(span[AttributesOffset..]));
        return batch;
    }

    private static void EncodeRecord(ArrayBufferWriter<byte> destination, Record record, long timestampDelta, int offsetDelta)
    {
        var key = record.Key is { } k ? k.Span : default;
        var value = record.Value is { } v ? v.Span : default;
        var bodySize = RecordEncoding.BodySize(timestampDelta, offsetDelta, key.Length, record.Key is null, value.Length, record.Value is null, record.Headers);
        var totalSize = RecordEncoding.TotalSize(bodySize);
        RecordEncoding.Write(destination.GetSpan(totalSize), bodySize, timestampDelta, offsetDelta, key, record.Key is null, value, record.Value is null, record.Headers);
        destination.Advance(totalSize);
    }
}
