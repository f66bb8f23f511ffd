using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Kafka's JoinGroup response. <see cref="ErrorCode"/> is <see cref="OrkaErrorCode.None"/> or
/// <see cref="OrkaErrorCode.MemberIdRequired"/>: the latter is an answer rather than a failure, since it
/// carries the <see cref="MemberId"/> to join again with (then the generation is -1 and the rest empty).
/// Every other error is thrown as an <see cref="OrkaException"/>. Only the leader gets
/// <see cref="Members"/>: every member with its metadata for the chosen protocol.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.JoinGroupResult")]
public sealed record JoinGroupResult(
    [property: Id(0)] OrkaErrorCode ErrorCode,
    [property: Id(1)] int GenerationId,
    [property: Id(2)] string ProtocolType,
    [property: Id(3)] string ProtocolName,
    [property: Id(4)] string LeaderId,
    [property: Id(5)] string MemberId,
    [property: Id(6)] ImmutableArray<JoinGroupMember> Members)
{
    /// <summary>True when this member leads the generation and must send the assignments.</summary>
    public bool IsLeader => ErrorCode == OrkaErrorCode.None && MemberId == LeaderId;
}
