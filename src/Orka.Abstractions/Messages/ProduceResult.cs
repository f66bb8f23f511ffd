namespace Orka;

/// <summary>What a partition answers to a produced batch: the offsets it assigned (inclusive).</summary>
[GenerateSerializer, Immutable, Alias("Orka.ProduceResult")]
public sealed record ProduceResult(
    [property: Id(0)] long BaseOffset,
    [property: Id(1)] long LastOffset,
    [property: Id(2)] long LogStartOffset);
