namespace Orka;

/// <summary>
/// One assignment protocol a member can run (Kafka's JoinGroup protocol entry): its name (e.g.
/// "range") and the member's metadata for it, opaque to the broker.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.GroupProtocol")]
public sealed record GroupProtocol(
    [property: Id(0)] string Name,
    [property: Id(1)] ReadOnlyMemory<byte> Metadata);
