using System.Collections.Immutable;

namespace Orka;

/// <summary>A topic's metadata plus the live offsets of each partition.</summary>
[GenerateSerializer, Immutable, Alias("Orka.TopicDescription")]
public sealed record TopicDescription(
    [property: Id(0)] TopicMetadata Metadata,
    [property: Id(1)] ImmutableArray<PartitionOffsets> Partitions);
