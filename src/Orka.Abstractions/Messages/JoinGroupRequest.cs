using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Kafka's JoinGroup request. <see cref="MemberId"/> is empty for a member's first join: the group
/// answers <see cref="OrkaErrorCode.MemberIdRequired"/> with a generated id to join again with.
/// <see cref="Protocols"/> are in the member's order of preference.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.JoinGroupRequest")]
public sealed record JoinGroupRequest(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string ProtocolType,
    [property: Id(3)] ImmutableArray<GroupProtocol> Protocols,
    [property: Id(4)] TimeSpan SessionTimeout,
    [property: Id(5)] TimeSpan RebalanceTimeout);
