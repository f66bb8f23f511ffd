namespace Orka.Cli.Output;

// The JSON/YAML shapes of `orka nodes` and `orka cluster info|health` (field names camelCase;
// documented in the README). A node is up when its silo's Orleans status is Active.

/// <summary>One row of <c>orka nodes</c>.</summary>
internal sealed record NodeView(int NodeId, string Status, string Silo);

/// <summary><c>orka cluster info</c>: the nodes and what each holds.</summary>
internal sealed record ClusterInfoView(int TopicCount, int PartitionCount, IReadOnlyList<ClusterNodeView> Nodes);

/// <summary>
/// A node of <c>orka cluster info</c>: <c>topics</c> counts the topics with at least one partition on
/// the node. A node that topics place partitions on but that is not in the cluster's membership is
/// listed with status <c>Unknown</c> and an empty silo.
/// </summary>
internal sealed record ClusterNodeView(int NodeId, string Status, bool Up, string Silo, int Topics, int Partitions);

/// <summary>
/// <c>orka cluster health</c>. <c>healthy</c>: every node up and no offline partition. An offline
/// partition is one whose node is down. <c>underReplicatedPartitions</c> is 0 while Orka keeps one
/// copy of each partition.
/// </summary>
internal sealed record ClusterHealthView(
    bool Healthy,
    IReadOnlyList<int> NodesUp,
    IReadOnlyList<int> NodesDown,
    int OfflinePartitionCount,
    IReadOnlyList<OfflinePartitionView> OfflinePartitions,
    int UnderReplicatedPartitions);

/// <summary>A partition whose node is down.</summary>
internal sealed record OfflinePartitionView(string Topic, int Partition, int Node);
