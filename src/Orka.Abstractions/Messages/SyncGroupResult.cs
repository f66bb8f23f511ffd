namespace Orka;

/// <summary>Kafka's SyncGroup response: the generation's protocol and this member's assignment.</summary>
[GenerateSerializer, Immutable, Alias("Orka.SyncGroupResult")]
public sealed record SyncGroupResult(
    [property: Id(0)] string ProtocolType,
    [property: Id(1)] string ProtocolName,
    [property: Id(2)] ReadOnlyMemory<byte> Assignment);
