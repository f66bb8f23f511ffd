using System.Text.Json;

namespace Orka.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterApiTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    // Intent: the cluster view lists the live node with the partitions it holds and reports the cluster healthy.
    [Fact]
    public async Task Cluster_Get_ListsActiveNodeWithItsPartitions()
    {
        await _http.CreateTopicAsync("cluster-view", 4);
        // Tests of this collection run one at a time, so no topic appears between these two reads.
        var topics = await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();
        var total = 0;
        foreach (var topic in topics)
        {
            total += (await cluster.Client.GetGrain<ITopicGrain>(topic).GetMetadataAsync())?.PartitionCount ?? 0;
        }

        var view = await _http.GetJsonAsync("api/cluster");
        Assert.Equal("Healthy", view.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal(total, view.GetProperty("partitions").GetInt32());
        var node = Assert.Single(view.GetProperty("nodes").EnumerateArray());
        Assert.Equal(0, node.GetProperty("id").GetInt32());
        Assert.Equal("Active", node.GetProperty("status").GetString());
        Assert.Equal(total, node.GetProperty("partitionsHeld").GetInt32());

        var nodes = await _http.GetJsonAsync("api/cluster/nodes?limit=1");
        Assert.Single(nodes.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, nodes.GetProperty("nextCursor").ValueKind);
        var health = await _http.GetJsonAsync("api/cluster/health");
        Assert.Equal(1, health.GetProperty("activeNodes").GetInt32());
        Assert.Equal(0, health.GetProperty("unavailablePartitions").GetInt32());
    }
}
