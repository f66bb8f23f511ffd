using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// A topic as the cluster knows it. <see cref="Assignments"/>[p] says where partition p lives and
/// which node leads it; <see cref="TopicId"/> tells this topic apart from an earlier one of the same
/// name.
/// </summary>
/// <remarks>Field 2 is retired (a node per partition, before assignments existed); do not reuse it.</remarks>
[GenerateSerializer, Immutable, Alias("Orka.TopicMetadata")]
public sealed record TopicMetadata(
    [property: Id(0)] string Name,
    [property: Id(1)] Guid TopicId,
    [property: Id(5)] ImmutableArray<PartitionAssignment> Assignments,
    [property: Id(3)] ImmutableDictionary<string, string> Config,
    [property: Id(4)] DateTimeOffset CreatedAt)
{
    public int PartitionCount => Assignments.Length;
}
