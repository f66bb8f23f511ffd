namespace Orka.Gateway.Contracts;

/// <summary>A topic in the list: partitions, bytes and records held, and throughput sampled by the gateway.</summary>
public sealed record TopicListItem(
    string Name,
    int Partitions,
    long SizeBytes,
    long Records,
    double RecordsInPerSecond,
    double RecordsOutPerSecond,
    DateTimeOffset CreatedAt);
