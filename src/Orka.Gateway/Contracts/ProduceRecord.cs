namespace Orka.Gateway.Contracts;

/// <summary>
/// One record to produce. Partition: explicit, else the murmur2 hash of the key (as Kafka's
/// clients), else one partition chosen for all the request's unkeyed records. Timestamp in Unix ms
/// (default: now).
/// </summary>
public sealed record ProduceRecord(
    System.Text.Json.JsonElement? Key = null,
    System.Text.Json.JsonElement? Value = null,
    Dictionary<string, string?>? Headers = null,
    int? Partition = null,
    long? Timestamp = null);
