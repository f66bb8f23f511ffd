namespace Orka;

/// <summary>Where a partition lives and how far its log reaches.</summary>
[GenerateSerializer, Immutable, Alias("Orka.PartitionOffsets")]
public sealed record PartitionOffsets(
    [property: Id(0)] int Partition,
    [property: Id(1)] int NodeId,
    [property: Id(2)] long LogStartOffset,
    [property: Id(3)] long LogEndOffset,
    [property: Id(4)] long SizeInBytes);
