namespace Orka.Records;

/// <summary>The compression codec of a RecordBatch v2, from attribute bits 0-2 (Kafka's numbering).</summary>
public enum RecordBatchCompression
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
