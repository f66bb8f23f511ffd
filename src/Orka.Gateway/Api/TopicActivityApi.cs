using Microsoft.AspNetCore.Http.HttpResults;
using Orka.Client;
using Orka.Gateway.Contracts;
using Orka.Gateway.Throughput;

namespace Orka.Gateway.Api;

/// <summary><c>/api/topics/{name}/throughput</c> and <c>/api/topics/{name}/groups</c>: what flows through a topic and who reads it.</summary>
public static class TopicActivityApi
{
    public static RouteGroupBuilder MapTopicActivityApi(this RouteGroupBuilder api)
    {
        var topic = api.MapGroup("/topics/{name}").WithTags("Topics");
        topic.MapGet("/throughput", ThroughputAsync)
            .WithName("GetTopicThroughput")
            .WithSummary("Records/s and bytes/s in and out between consecutive gateway samples of the last 10 minutes, oldest first; `since` (Unix ms) returns only later points.");
        topic.MapGet("/groups", GroupsAsync)
            .WithName("ListTopicGroups")
            .WithSummary("The consumer groups that have committed offsets in, or are assigned partitions of, the topic, with their lag on it per partition.");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ThroughputPoint>>> ThroughputAsync(IClusterClient client, ThroughputSampler sampler, string name, long? since)
    {
        var after = GroupsApi.Since(since);
        await new OrkaAdmin(client).GetTopicAsync(name); // 404 for a topic that does not exist
        return TypedResults.Ok(sampler.ThroughputHistoryOf(name, after));
    }

    private static async Task<Ok<IReadOnlyList<TopicGroupView>>> GroupsAsync(IClusterClient client, TimeProvider time, string name)
    {
        var admin = new OrkaAdmin(client);
        await admin.GetTopicAsync(name);
        var groups = await admin.ListGroupsAsync();

        // One lag read per group: a cluster with many groups pays for each; the topic page asks every 2 s.
        var views = await Task.WhenAll(groups.Select(async g =>
        {
            var lag = await client.GetGrain<IConsumerGroupGrain>(g.GroupId).GetLagAsync();
            var at = time.GetUtcNow();
            var mine = lag.Where(l => l.Partition.Topic == name).OrderBy(l => l.Partition.Partition).ToList();
            return mine.Count == 0
                ? null
                : new TopicGroupView(
                    g.GroupId,
                    g.State,
                    GroupsApi.TotalLag(mine),
                    at,
                    mine.Select(l => new GroupOffsetView(l.Partition.Topic, l.Partition.Partition, l.CommittedOffset, l.LogEndOffset, l.Lag, l.MemberId)).ToList());
        }));
        return TypedResults.Ok<IReadOnlyList<TopicGroupView>>(views.OfType<TopicGroupView>().OrderBy(v => v.GroupId, StringComparer.Ordinal).ToList());
    }
}
