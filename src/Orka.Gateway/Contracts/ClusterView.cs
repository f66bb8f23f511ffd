namespace Orka.Gateway.Contracts;

/// <summary>The cluster at a glance: health, counts, every node.</summary>
public sealed record ClusterView(ClusterHealth Health, int Topics, int Partitions, IReadOnlyList<NodeView> Nodes);
