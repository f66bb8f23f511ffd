namespace Orka;

/// <summary>
/// A member as DescribeGroups shows it: its metadata for the chosen protocol and its assignment
/// (empty until the leader has sent it for the current generation).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.GroupMemberDescription")]
public sealed record GroupMemberDescription(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] ReadOnlyMemory<byte> Metadata,
    [property: Id(3)] ReadOnlyMemory<byte> Assignment);
