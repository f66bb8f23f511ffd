namespace Orka;

/// <summary>A member as the leader sees it in a JoinGroup response: its metadata for the chosen protocol.</summary>
[GenerateSerializer, Immutable, Alias("Orka.JoinGroupMember")]
public sealed record JoinGroupMember(
    [property: Id(0)] string MemberId,
    [property: Id(1)] ReadOnlyMemory<byte> Metadata);
