namespace Orka;

/// <summary>
/// Record batches (Kafka RecordBatch v2, as stored) plus the partition's offsets at read time.
/// <see cref="HighWatermark"/> is the offset after the last record a consumer may read.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.FetchResult")]
public sealed record FetchResult(
    [property: Id(0)] ReadOnlyMemory<byte> Batches,
    [property: Id(1)] long HighWatermark,
    [property: Id(2)] long LogStartOffset);
