using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Moves a consumer group's committed offsets in one topic (Kafka's
/// <c>kafka-consumer-groups --reset-offsets</c>). An empty <see cref="Partitions"/> means every
/// partition of the topic. <see cref="Value"/> is the timestamp (ms since the epoch) for
/// <see cref="OffsetResetKind.Timestamp"/>, the offset for <see cref="OffsetResetKind.Offset"/>, and
/// ignored otherwise.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.OffsetResetRequest")]
public sealed record OffsetResetRequest(
    [property: Id(0)] string Topic,
    [property: Id(1)] ImmutableArray<int> Partitions,
    [property: Id(2)] OffsetResetKind Kind,
    [property: Id(3)] long Value = 0);
