using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Kafka's SyncGroup request. The leader sends every member's assignment; followers send none and
/// wait for the leader's.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.SyncGroupRequest")]
public sealed record SyncGroupRequest(
    [property: Id(0)] int GenerationId,
    [property: Id(1)] string MemberId,
    [property: Id(2)] ImmutableArray<GroupAssignment> Assignments);
