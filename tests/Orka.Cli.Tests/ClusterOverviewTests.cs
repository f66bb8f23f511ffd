using System.Collections.Immutable;

namespace Orka.Cli.Tests;

/// <summary>The rules of <c>orka cluster info|health</c> on given membership and topics.</summary>
public sealed class ClusterOverviewTests
{
    private static TopicMetadata Topic(string name, params int[] nodes) =>
        new(name, Guid.NewGuid(), [.. nodes.Select(PartitionAssignment.OnNode)], ImmutableDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch);

    // Intent: a node restarted on a new silo (old entry Dead, new one Active) is one node, up, with its partitions online.
    [Fact]
    public void Health_RestartedNodeWithDeadOldEntry_HealthyOneEntryPerNode()
    {
        var overview = new ClusterOverview(
            [new NodeInfo(0, "S0", "Active"), new NodeInfo(1, "S1-old", "Dead"), new NodeInfo(1, "S1-new", "Active")],
            [Topic("a", 0, 1, 1)]);

        var health = overview.Health();
        var info = overview.Info();

        Assert.True(health.Healthy);
        Assert.Equal([0, 1], health.NodesUp);
        Assert.Equal(0, health.OfflinePartitionCount);
        Assert.Equal([(0, "S0", 1, 1), (1, "S1-new", 1, 2)], info.Nodes.Select(n => (n.NodeId, n.Silo, n.Topics, n.Partitions)));
        Assert.Equal((1, 3), (info.TopicCount, info.PartitionCount));
    }

    // Intent: partitions on a Dead node and on a node absent from the membership (Unknown) are offline; the cluster is unhealthy.
    [Fact]
    public void Health_DeadAndUnknownNodes_TheirPartitionsOffline()
    {
        var overview = new ClusterOverview(
            [new NodeInfo(0, "S0", "Active"), new NodeInfo(1, "S1", "Dead")],
            [Topic("b", 0, 1, 2), Topic("a", 2)]);

        var health = overview.Health();

        Assert.False(health.Healthy);
        Assert.Equal([0], health.NodesUp);
        Assert.Equal([1, 2], health.NodesDown);
        Assert.Equal([("a", 0, 2), ("b", 1, 1), ("b", 2, 2)], health.OfflinePartitions.Select(p => (p.Topic, p.Partition, p.Node)));
        Assert.Equal(3, health.OfflinePartitionCount);
        Assert.Equal(0, health.UnderReplicatedPartitions);
        Assert.Equal("Unknown", overview.Nodes().Single(n => n.NodeId == 2).Status);
    }
}
