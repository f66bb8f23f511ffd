namespace Orka.Gateway.Contracts;

/// <summary>
/// A topic: id, config, throughput, and every partition's node and offsets. <see cref="Config"/> holds
/// the keys set on the topic; <see cref="Configs"/> every key Orka knows with the value in effect, its
/// default and its source (set on the topic or the default).
/// </summary>
public sealed record TopicDetails(
    string Name,
    Guid TopicId,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string> Config,
    long SizeBytes,
    double RecordsInPerSecond,
    double RecordsOutPerSecond,
    IReadOnlyList<PartitionView> Partitions,
    IReadOnlyList<TopicConfigEntry> Configs);
