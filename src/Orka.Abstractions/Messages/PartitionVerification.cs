using System.Collections.Immutable;

namespace Orka;

/// <summary>What a verify of one partition's log found: how much it checked (headers and CRC-32C of every batch) and every corrupt range.</summary>
[GenerateSerializer, Immutable, Alias("Orka.PartitionVerification")]
public sealed record PartitionVerification(
    [property: Id(0)] int Partition,
    [property: Id(1)] int NodeId,
    [property: Id(2)] int Segments,
    [property: Id(3)] long Batches,
    [property: Id(4)] long Bytes,
    [property: Id(5)] ImmutableArray<CorruptRange> CorruptRanges);
