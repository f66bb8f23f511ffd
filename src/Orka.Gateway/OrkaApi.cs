using Orka.Client;

namespace Orka.Gateway;

/// <summary>The REST API under <c>/api</c>.</summary>
public static class OrkaApi
{
    public static IEndpointRouteBuilder MapOrkaApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/topics", async (IClusterClient client) =>
        {
            var names = await new OrkaAdmin(client).ListTopicsAsync();
            var topics = await Task.WhenAll(names.Select(name => client.GetGrain<Orka.Grains.ITopicGrain>(name).GetMetadataAsync()));

            // A topic deleted between the two calls is simply left out.
            return Results.Ok(topics.OfType<TopicMetadata>()
                .Select(t => new TopicSummary(t.Name, t.PartitionCount, t.PartitionNodes.ToArray(), t.CreatedAt)));
        });
        return app;
    }

    /// <summary>A topic in the list: name, partition count, the node of each partition.</summary>
    public sealed record TopicSummary(string Name, int Partitions, int[] PartitionNodes, DateTimeOffset CreatedAt);
}
