namespace Orka.Gateway.Contracts;

/// <summary>A topic: id, config, throughput, and every partition's node and offsets.</summary>
public sealed record TopicDetails(
    string Name,
    Guid TopicId,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string> Config,
    long SizeBytes,
    double RecordsInPerSecond,
    double RecordsOutPerSecond,
    IReadOnlyList<PartitionView> Partitions);
