using System.Buffers.Binary;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Records;

/// <summary>
/// The fixed 61-byte header of a Kafka RecordBatch v2 (see <c>FORMAT.md</c> for the byte layout and
/// what the CRC covers). <see cref="Read"/> only decodes the fields; <see cref="ReadValidated"/>
/// also checks length, magic and CRC, which is what the log does for every batch it accepts or
/// recovers.
/// </summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    byte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    /// <summary>Size of the header in bytes; also the size of a batch without records.</summary>
    public const int Size = HeaderSize;

    /// <summary>Size of the whole batch: <see cref="BatchLength"/> plus the 12 bytes before it.</summary>
    public int SizeInBytes => BatchLength + LogOverhead;

    /// <summary>Offset of the batch's last record.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    public RecordBatchCompression Compression => (RecordBatchCompression)(Attributes & CompressionMask);

    /// <summary>Timestamps are the broker's append time (attribute bit 3), so every record's is <see cref="MaxTimestamp"/>.</summary>
    public bool IsLogAppendTime => (Attributes & LogAppendTimeFlag) != 0;

    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;

    /// <summary>The batch holds a transaction marker rather than user records.</summary>
    public bool IsControl => (Attributes & ControlFlag) != 0;

    /// <summary>
    /// Set by the log cleaner on a batch that holds tombstones: <see cref="BaseTimestamp"/> is then
    /// the delete horizon (record timestamps are still <see cref="BaseTimestamp"/> + their delta).
    /// </summary>
    public bool HasDeleteHorizon => (Attributes & DeleteHorizonFlag) != 0;

    /// <summary>Decodes the header fields without validating anything. Needs at least <see cref="Size"/> bytes.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderSize)
        {
            throw new ArgumentException($"A RecordBatch header needs {HeaderSize} bytes; got {source.Length}.", nameof(source));
        }

        return new RecordBatchHeader(
            BaseOffset: BinaryPrimitives.ReadInt64BigEndian(source[BaseOffsetOffset..]),
            BatchLength: BinaryPrimitives.ReadInt32BigEndian(source[BatchLengthOffset..]),
            PartitionLeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(source[PartitionLeaderEpochOffset..]),
            Magic: source[MagicOffset],
            Crc: BinaryPrimitives.ReadUInt32BigEndian(source[CrcOffset..]),
            Attributes: BinaryPrimitives.ReadInt16BigEndian(source[AttributesOffset..]),
            LastOffsetDelta: BinaryPrimitives.ReadInt32BigEndian(source[LastOffsetDeltaOffset..]),
            BaseTimestamp: BinaryPrimitives.ReadInt64BigEndian(source[BaseTimestampOffset..]),
            MaxTimestamp: BinaryPrimitives.ReadInt64BigEndian(source[MaxTimestampOffset..]),
            ProducerId: BinaryPrimitives.ReadInt64BigEndian(source[ProducerIdOffset..]),
            ProducerEpoch: BinaryPrimitives.ReadInt16BigEndian(source[ProducerEpochOffset..]),
            BaseSequence: BinaryPrimitives.ReadInt32BigEndian(source[BaseSequenceOffset..]),
            RecordCount: BinaryPrimitives.ReadInt32BigEndian(source[RecordCountOffset..]));
    }

    /// <summary>
    /// The headers of the whole batches in <paramref name="batches"/>, with their positions, up to
    /// a trailing partial batch. Decodes headers only (no CRC check) and allocates nothing; see
    /// <see cref="RecordBatchHeaderEnumerator"/>.
    /// </summary>
    public static RecordBatchHeaderEnumerator Enumerate(ReadOnlySpan<byte> batches) => new(batches);

    /// <summary>
    /// Decodes and validates the batch at the start of <paramref name="source"/>: the whole batch is
    /// present, batchLength is sane, magic is 2 and the CRC-32C matches. Throws
    /// <see cref="CorruptRecordException"/> otherwise.
    /// </summary>
    public static RecordBatchHeader ReadValidated(ReadOnlySpan<byte> source)
    {
        var status = Check(source, out var header, out var problem);
        return status == BatchStatus.Valid
            ? header
            : throw new CorruptRecordException(problem!);
    }

    /// <summary>
    /// The non-throwing check behind <see cref="ReadValidated"/>. <see cref="BatchStatus.Incomplete"/>
    /// means the bytes end before the batch does (a torn tail when it is the end of a file);
    /// <see cref="BatchStatus.Corrupt"/> means the bytes that are there are wrong.
    /// </summary>
    internal static BatchStatus Check(ReadOnlySpan<byte> source, out RecordBatchHeader header, out string? problem)
    {
        header = default;
        if (source.Length < LogOverhead)
        {
            problem = $"Only {source.Length} bytes left; a batch needs at least {HeaderSize}.";
            return BatchStatus.Incomplete;
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(source[BatchLengthOffset..]);
        if (batchLength < MinBatchLength)
        {
            problem = $"batchLength {batchLength} is smaller than the {MinBatchLength}-byte minimum.";
            return BatchStatus.Corrupt;
        }

        if (source.Length > MagicOffset && source[MagicOffset] != RecordBatchLayout.Magic)
        {
            problem = $"Magic byte is {source[MagicOffset]}; only RecordBatch v2 (magic 2) is supported.";
            return BatchStatus.Corrupt;
        }

        var size = (long)batchLength + LogOverhead;
        if (source.Length < size)
        {
            problem = $"Batch declares {size} bytes but only {source.Length} are present.";
            return BatchStatus.Incomplete;
        }

        header = Read(source);
        var actualCrc = Crc32C.Compute(source[AttributesOffset..(int)size]);
        if (actualCrc != header.Crc)
        {
            problem = $"CRC-32C mismatch: stored 0x{header.Crc:X8}, computed 0x{actualCrc:X8}.";
            return BatchStatus.Corrupt;
        }

        if (header.RecordCount < 0 || header.LastOffsetDelta < 0)
        {
            problem = $"Negative recordCount ({header.RecordCount}) or lastOffsetDelta ({header.LastOffsetDelta}).";
            return BatchStatus.Corrupt;
        }

        problem = null;
        return BatchStatus.Valid;
    }

    /// <summary>
    /// Overwrites the baseOffset field. The CRC does not cover it, so the batch stays valid: this is
    /// how the log assigns offsets without re-encoding a producer's batch.
    /// </summary>
    internal static void WriteBaseOffset(Span<byte> batch, long baseOffset)
        => BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);
}
