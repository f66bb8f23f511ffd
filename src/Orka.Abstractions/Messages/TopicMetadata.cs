using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// A topic as the cluster knows it. <see cref="PartitionNodes"/>[p] is the node id that holds
/// partition p; <see cref="TopicId"/> tells this topic apart from an earlier one of the same name.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.TopicMetadata")]
public sealed record TopicMetadata(
    [property: Id(0)] string Name,
    [property: Id(1)] Guid TopicId,
    [property: Id(2)] ImmutableArray<int> PartitionNodes,
    [property: Id(3)] ImmutableDictionary<string, string> Config,
    [property: Id(4)] DateTimeOffset CreatedAt)
{
    public int PartitionCount => PartitionNodes.Length;
}
