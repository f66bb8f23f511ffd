using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// What a consumer tells its group when it joins (Kafka's ConsumerProtocolSubscription): the topics
/// it subscribes to, the partitions it owns from the generation it last had (so a sticky assignment
/// can keep them) and that generation (-1 when it owns none).
/// </summary>
public sealed record ConsumerSubscription(
    ImmutableArray<string> Topics,
    ImmutableArray<TopicPartition> OwnedPartitions,
    int GenerationId = -1);
