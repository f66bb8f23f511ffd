using Microsoft.AspNetCore.Http.HttpResults;
using Orka.Client;
using Orka.Gateway.Contracts;
using Orka.Gateway.Throughput;

namespace Orka.Gateway.Api;

/// <summary><c>/api/topics</c>: list, create, describe, alter config, add partitions, delete.</summary>
public static class TopicsApi
{
    public static RouteGroupBuilder MapTopicsApi(this RouteGroupBuilder api)
    {
        var topics = api.MapGroup("/topics").WithTags("Topics");
        topics.MapGet("/", ListAsync)
            .WithName("ListTopics").WithSummary("Topics (paged, by name) with partitions, size, records held and records/s in and out.");
        topics.MapPost("/", CreateAsync)
            .Accepts<CreateTopicRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithName("CreateTopic").WithSummary("Creates a topic; partitions are spread over the live nodes.");
        topics.MapGet("/{name}", DescribeAsync)
            .WithName("DescribeTopic").WithSummary("Config (set keys, and every key with its value, default and source) and every partition's node, log start and end offsets and size.");
        topics.MapPatch("/{name}/config", AlterConfigAsync)
            .Accepts<AlterConfigRequest>("application/json")
            .WithName("AlterTopicConfig").WithSummary("Sets and removes config keys (validated first; nothing changes on error).");
        topics.MapPost("/{name}/partitions", AddPartitionsAsync)
            .Accepts<AddPartitionsRequest>("application/json")
            .WithName("AddPartitions").WithSummary("Grows the topic to `count` partitions.");
        topics.MapDelete("/{name}", DeleteAsync)
            .WithName("DeleteTopic").WithSummary("Deletes the topic and its data.");
        return api;
    }

    private static async Task<Ok<Page<TopicListItem>>> ListAsync(IClusterClient client, ThroughputSampler sampler, string? cursor, int? limit)
    {
        var size = Paging.Limit(limit);
        var names = await new OrkaAdmin(client).ListTopicsAsync();
        var page = Paging.KeysAfter(names, cursor, size);
        var described = await Task.WhenAll(page.Take(size).Select(async name =>
        {
            try
            {
                return await client.GetGrain<ITopicGrain>(name).DescribeAsync();
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.UnknownTopicOrPartition)
            {
                return null; // deleted since the list was read
            }
        }));
        var items = described.OfType<TopicDescription>().Select(d =>
        {
            var (rateIn, rateOut) = sampler.RatesOf(d.Metadata.Name);
            return new TopicListItem(
                d.Metadata.Name,
                d.Metadata.PartitionCount,
                d.Partitions.Sum(p => Math.Max(0, p.SizeInBytes)), // -1: the partition's node is down
                d.Partitions.Sum(p => Math.Max(0, p.LogEndOffset - p.LogStartOffset)),
                rateIn,
                rateOut,
                d.Metadata.CreatedAt);
        }).ToList();
        return TypedResults.Ok(new Page<TopicListItem>(items, page.Count > size ? Paging.Encode(page[size - 1]) : null));
    }

    private static async Task<Created<TopicDetails>> CreateAsync(HttpContext context, IClusterClient client, ThroughputSampler sampler)
    {
        var request = await JsonBody.ReadAsync<CreateTopicRequest>(context);
        await new OrkaAdmin(client).CreateTopicAsync(request.Name, request.Partitions, request.Config);
        var details = await DetailsAsync(client, sampler, request.Name);
        return TypedResults.Created($"/api/topics/{Uri.EscapeDataString(request.Name)}", details);
    }

    private static async Task<Ok<TopicDetails>> DescribeAsync(IClusterClient client, ThroughputSampler sampler, string name) =>
        TypedResults.Ok(await DetailsAsync(client, sampler, name));

    private static async Task<Ok<TopicDetails>> AlterConfigAsync(HttpContext context, IClusterClient client, ThroughputSampler sampler, string name)
    {
        var request = await JsonBody.ReadAsync<AlterConfigRequest>(context);
        if ((request.Set is null || request.Set.Count == 0) && (request.Remove is null || request.Remove.Length == 0))
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "Nothing to change: give config keys to `set` and/or `remove`.");
        }

        if (request.Set?.FirstOrDefault(kv => kv.Value is null) is { Key: { } nullKey })
        {
            throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Config '{nullKey}' has a null value; use `remove` to drop a key.");
        }

        await new OrkaAdmin(client).AlterTopicConfigAsync(name, request.Set ?? [], request.Remove);
        return TypedResults.Ok(await DetailsAsync(client, sampler, name));
    }

    private static async Task<Ok<TopicDetails>> AddPartitionsAsync(HttpContext context, IClusterClient client, ThroughputSampler sampler, string name)
    {
        var request = await JsonBody.ReadAsync<AddPartitionsRequest>(context);
        await new OrkaAdmin(client).AddPartitionsAsync(name, request.Count);
        return TypedResults.Ok(await DetailsAsync(client, sampler, name));
    }

    private static async Task<NoContent> DeleteAsync(IClusterClient client, string name)
    {
        var admin = new OrkaAdmin(client);
        await admin.GetTopicAsync(name); // 404 for an unknown topic rather than a silent success
        await admin.DeleteTopicAsync(name);
        return TypedResults.NoContent();
    }

    /// <summary>The topic's description as the API shows it; UnknownTopicOrPartition when it does not exist.</summary>
    internal static async Task<TopicDetails> DetailsAsync(IClusterClient client, ThroughputSampler sampler, string name)
    {
        var d = await new OrkaAdmin(client).DescribeTopicAsync(name);
        var (rateIn, rateOut) = sampler.RatesOf(name);
        return new TopicDetails(
            d.Metadata.Name,
            d.Metadata.TopicId,
            d.Metadata.CreatedAt,
            d.Metadata.Config,
            d.Partitions.Sum(p => Math.Max(0, p.SizeInBytes)), // -1: the partition's node is down
            rateIn,
            rateOut,
            d.Partitions.Select(p => new PartitionView(p.Partition, p.NodeId, p.LogStartOffset, p.LogEndOffset, p.SizeInBytes)).ToList(),
            TopicConfigCatalog.Describe(d.Metadata.Config)); // as OrkaAdmin.DescribeTopicConfigsAsync, from the metadata already read
    }
}
