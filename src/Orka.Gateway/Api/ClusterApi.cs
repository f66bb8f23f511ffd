using Orka.Gateway.Contracts;

namespace Orka.Gateway.Api;

/// <summary><c>/api/cluster</c>: nodes and health.</summary>
public static class ClusterApi
{
    public static RouteGroupBuilder MapClusterApi(this RouteGroupBuilder api)
    {
        var cluster = api.MapGroup("/cluster").WithTags("Cluster");
        cluster.MapGet("/", GetClusterAsync)
            .WithName("GetCluster").WithSummary("Health, topic and partition counts, and every node with the partitions it holds.");
        cluster.MapGet("/nodes", async (IClusterClient client, string? cursor, int? limit) =>
            {
                var (nodes, _) = await NodesAsync(client);
                return TypedResults.Ok(Paging.Take(nodes, n => n.Id.ToString("D10", System.Globalization.CultureInfo.InvariantCulture), cursor, limit));
            })
            .WithName("ListNodes").WithSummary("The nodes (paged): id, silo address, status, partitions held.");
        cluster.MapGet("/health", async (IClusterClient client) => TypedResults.Ok((await GetClusterAsync(client)).Value!.Health))
            .WithName("GetClusterHealth").WithSummary("Healthy, Degraded (some partitions' nodes are down) or Unavailable.");
        return api;
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<ClusterView>> GetClusterAsync(IClusterClient client)
    {
        var (nodes, topics) = await NodesAsync(client);
        var active = nodes.Where(n => n.Status == "Active").Select(n => n.Id).ToHashSet();
        var partitions = topics.Sum(t => t.PartitionCount);
        var unavailable = topics.Sum(t => t.Assignments.Count(a => PartitionLeadership.IsOffline(a, active)));
        var status = active.Count == 0 ? "Unavailable" : unavailable > 0 ? "Degraded" : "Healthy";
        return TypedResults.Ok(new ClusterView(new ClusterHealth(status, active.Count, nodes.Count, unavailable), topics.Count, partitions, nodes));
    }

    /// <summary>Every node the cluster knows, plus nodes that hold partitions but have never joined.</summary>
    private static async Task<(List<NodeView> Nodes, List<TopicMetadata> Topics)> NodesAsync(IClusterClient client)
    {
        var cluster = client.GetGrain<IClusterGrain>(IClusterGrain.Key);
        var infos = await cluster.ListNodesAsync();
        var names = await cluster.ListTopicsAsync();
        var topics = (await Task.WhenAll(names.Select(n => client.GetGrain<ITopicGrain>(n).GetMetadataAsync()))).OfType<TopicMetadata>().ToList();
        var held = topics.SelectMany(t => t.Assignments).SelectMany(a => a.Replicas).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());

        // Membership may list a node twice (a restarted silo next to its dead predecessor): keep the first, live ones come first.
        var nodes = infos.GroupBy(n => n.NodeId).Select(g => g.First())
            .Select(n => new NodeView(n.NodeId, n.SiloAddress, n.Status, held.GetValueOrDefault(n.NodeId)))
            .ToList();
        nodes.AddRange(held.Keys.Where(id => nodes.All(n => n.Id != id)).Select(id => new NodeView(id, "", "Unknown", held[id])));
        return (nodes.OrderBy(n => n.Id).ToList(), topics);
    }
}
