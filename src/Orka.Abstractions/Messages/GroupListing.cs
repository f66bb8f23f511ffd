namespace Orka;

/// <summary>
/// One consumer group as Kafka's ListGroups shows it: its id, its state and the protocol type its
/// members run (<c>consumer</c> for Kafka clients, <c>orka</c> for the native consumer, empty for a
/// group that only holds committed offsets).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.GroupListing")]
public sealed record GroupListing(
    [property: Id(0)] string GroupId,
    [property: Id(1)] GroupState State,
    [property: Id(2)] string ProtocolType);
