namespace Orka;

/// <summary>What a skip repair removed from one partition: the offsets, the segments rewritten, and the batches and bytes dropped.</summary>
[GenerateSerializer, Immutable, Alias("Orka.PartitionRepair")]
public sealed record PartitionRepair(
    [property: Id(0)] int Partition,
    [property: Id(1)] long FromOffset,
    [property: Id(2)] long ToOffset,
    [property: Id(3)] int SegmentsRewritten,
    [property: Id(4)] long BatchesDropped,
    [property: Id(5)] long BytesDropped);
