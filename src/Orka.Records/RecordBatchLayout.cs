namespace Orka.Records;

/// <summary>
/// Byte offsets and sizes of the fixed 61-byte header of a Kafka RecordBatch v2, in one place.
/// Every field is big-endian. The layout, and what the CRC covers, is specified in
/// <c>FORMAT.md</c> next to this file; change both together or not at all, because Kafka clients
/// read these bytes straight from our segment files.
/// </summary>
internal static class RecordBatchLayout
{
    public const int BaseOffsetOffset = 0;              // int64
    public const int BatchLengthOffset = 8;             // int32: bytes after this field
    public const int PartitionLeaderEpochOffset = 12;   // int32
    public const int MagicOffset = 16;                  // int8
    public const int CrcOffset = 17;                    // uint32, CRC-32C of [AttributesOffset, end)
    public const int AttributesOffset = 21;             // int16
    public const int LastOffsetDeltaOffset = 23;        // int32
    public const int BaseTimestampOffset = 27;          // int64
    public const int MaxTimestampOffset = 35;           // int64
    public const int ProducerIdOffset = 43;             // int64
    public const int ProducerEpochOffset = 51;          // int16
    public const int BaseSequenceOffset = 53;           // int32
    public const int RecordCountOffset = 57;            // int32
    public const int RecordsOffset = 61;

    /// <summary>Size of the header, i.e. of a batch with no records.</summary>
    public const int HeaderSize = RecordsOffset;

    /// <summary>baseOffset + batchLength: the bytes not counted by batchLength.</summary>
    public const int LogOverhead = 12;

    /// <summary>The smallest legal batchLength (a header with no records).</summary>
    public const int MinBatchLength = HeaderSize - LogOverhead;

    public const byte Magic = 2;

    /// <summary>Attribute bits 0-2 hold the compression codec.</summary>
    public const short CompressionMask = 0x07;

    /// <summary>Attribute bit 3: timestamps are the broker's append time rather than the producer's.</summary>
    public const short LogAppendTimeFlag = 0x08;

    /// <summary>Attribute bit 4: the batch is part of a transaction.</summary>
    public const short TransactionalFlag = 0x10;

    /// <summary>Attribute bit 5: the batch holds a control record (transaction marker), not user data.</summary>
    public const short ControlFlag = 0x20;

    /// <summary>
    /// Attribute bit 6: the batch was rewritten by the log cleaner while holding tombstones, and
    /// <c>baseTimestamp</c> holds the delete horizon (ms) after which they may be dropped.
    /// </summary>
    public const short DeleteHorizonFlag = 0x40;
}
