using System.Collections.Immutable;
using Orka.Cli.Output;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// The cluster's nodes and topics at one moment, and what <c>orka cluster info</c> and
/// <c>orka cluster health</c> make of them. A node is up when a silo carrying it is Active in the
/// cluster's membership; a partition is offline when its node is not up. Pure once loaded, so the
/// rules are testable without a cluster.
/// </summary>
internal sealed class ClusterOverview(ImmutableArray<NodeInfo> members, ImmutableArray<TopicMetadata> topics)
{
    private const string Active = "Active";

    /// <summary>Reads the membership, the topic list and each topic's metadata (one call per topic).</summary>
    public static async Task<ClusterOverview> LoadAsync(OrkaAdmin admin)
    {
        var nodes = await admin.ListNodesAsync();
        var names = await admin.ListTopicsAsync();
        var topics = await Task.WhenAll(names.Select(n => TopicCommands.TryGetTopicAsync(admin, n)));
        return new ClusterOverview(nodes, [.. topics.OfType<TopicMetadata>()]);
    }

    /// <summary>
    /// One entry per node id, ordered by id. A node restarted on a new silo has an old (Dead) and a new
    /// membership entry: the Active one wins. Nodes that topics place partitions on but that have no
    /// membership entry are listed as Unknown.
    /// </summary>
    public ImmutableArray<ClusterNodeView> Nodes()
    {
        var byNode = members
            .GroupBy(m => m.NodeId)
            .ToDictionary(g => g.Key, g => g.FirstOrDefault(m => m.Status == Active) ?? g.First());
        var placed = topics.SelectMany(t => t.Assignments.SelectMany(a => a.Replicas).Select(node => (t.Name, node))).ToList();
        return [.. byNode.Keys.Union(placed.Select(p => p.node)).Order().Select(id =>
        {
            var member = byNode.GetValueOrDefault(id);
            var mine = placed.Where(p => p.node == id).ToList();
            return new ClusterNodeView(
                id,
                member?.Status ?? "Unknown",
                member?.Status == Active,
                member?.SiloAddress ?? "",
                mine.Select(p => p.Name).Distinct().Count(),
                mine.Count);
        })];
    }

    public ClusterInfoView Info() => new(topics.Length, topics.Sum(t => t.PartitionCount), Nodes());

    public ClusterHealthView Health()
    {
        var nodes = Nodes();
        var up = nodes.Where(n => n.Up).Select(n => n.NodeId).ToHashSet();
        var offline = topics
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(t => t.Assignments
                .Select((assignment, partition) => (assignment, view: new OfflinePartitionView(t.Name, partition, PartitionLeadership.NodeToServe(assignment))))
                .Where(p => PartitionLeadership.IsOffline(p.assignment, up))
                .Select(p => p.view))
            .ToList();
        var down = nodes.Where(n => !n.Up).Select(n => n.NodeId).ToList();
        return new ClusterHealthView(
            Healthy: down.Count == 0 && offline.Count == 0 && up.Count > 0,
            NodesUp: [.. up.Order()],
            NodesDown: down,
            OfflinePartitionCount: offline.Count,
            OfflinePartitions: offline,
            UnderReplicatedPartitions: 0);
    }
}
