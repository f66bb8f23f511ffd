namespace Orka.Broker.Tests;

/// <summary>Orka:MaxPartitionsPerNode: topics that a node cannot hold are refused when asked for.</summary>
public sealed class NodeCapacityTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-capacity-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    // Intent: creating or growing a topic past what the node may hold fails with INVALID_PARTITIONS
    // saying which node, what it holds and the limit; what fits is still accepted.
    [Fact]
    public async Task CreateAsync_MorePartitionsThanTheNodeMayHold_RefusedWithTheReason()
    {
        await using var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 1, new Dictionary<string, string> { ["Orka:MaxPartitionsPerNode"] = "5" });
        await cluster.Client.GetGrain<ITopicGrain>("a").CreateAsync(new TopicSpec("a", 3));

        var tooMany = await Assert.ThrowsAsync<OrkaException>(() => cluster.Client.GetGrain<ITopicGrain>("b").CreateAsync(new TopicSpec("b", 3)));
        Assert.Equal(OrkaErrorCode.InvalidPartitions, tooMany.Code);
        Assert.Contains("node 0, which holds 3; a node holds at most 5 partition logs (Orka:MaxPartitionsPerNode)", tooMany.Message, StringComparison.Ordinal);
        Assert.Null(await cluster.Client.GetGrain<ITopicGrain>("b").GetMetadataAsync());

        var grow = await Assert.ThrowsAsync<OrkaException>(() => cluster.Client.GetGrain<ITopicGrain>("a").AddPartitionsAsync(6));
        Assert.Equal(OrkaErrorCode.InvalidPartitions, grow.Code);

        Assert.Equal(2, (await cluster.Client.GetGrain<ITopicGrain>("b").CreateAsync(new TopicSpec("b", 2))).PartitionCount);
    }
}
