using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Kafka's DescribeGroups answer for one group. <see cref="ProtocolName"/> is empty until a
/// generation has chosen one; <see cref="GenerationId"/> is 0 before the first generation.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.GroupDescription")]
public sealed record GroupDescription(
    [property: Id(0)] string GroupId,
    [property: Id(1)] GroupState State,
    [property: Id(2)] string ProtocolType,
    [property: Id(3)] string ProtocolName,
    [property: Id(4)] int GenerationId,
    [property: Id(5)] string LeaderId,
    [property: Id(6)] ImmutableArray<GroupMemberDescription> Members);
