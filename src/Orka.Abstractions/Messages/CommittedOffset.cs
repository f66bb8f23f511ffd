namespace Orka;

/// <summary>A consumer group's committed position in one partition: the next offset to read.</summary>
[GenerateSerializer, Immutable, Alias("Orka.CommittedOffset")]
public sealed record CommittedOffset(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] long Offset,
    [property: Id(2)] string? Metadata = null);
