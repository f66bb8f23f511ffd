using Microsoft.AspNetCore.Http.HttpResults;
using Orka.Client;
using Orka.Gateway.Contracts;
using Orka.Gateway.Throughput;

namespace Orka.Gateway.Api;

/// <summary><c>/api/groups</c>: list, describe with lag, reset offsets, delete.</summary>
public static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups").WithTags("Consumer groups");
        groups.MapGet("/", ListAsync)
            .WithName("ListGroups").WithSummary("Consumer groups (paged, by id) with state, protocol type, member count and total lag.");
        groups.MapGet("/{groupId}", DescribeAsync)
            .WithName("DescribeGroup").WithSummary("State, generation, members and assignments, and per partition the committed offset, log end and lag.");
        groups.MapGet("/{groupId}/lag/history", LagHistoryAsync)
            .WithName("GetGroupLagHistory")
            .WithSummary("The group's lag (total and per partition) at each gateway sample of the last 10 minutes, oldest first; `since` (Unix ms) returns only later samples.");
        groups.MapPost("/{groupId}/offsets/reset", ResetAsync)
            .Accepts<ResetOffsetsRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .WithName("ResetGroupOffsets").WithSummary("Moves the committed offsets of one topic to earliest, latest, a timestamp or an offset; only while the group is empty (409 otherwise).");
        groups.MapDelete("/{groupId}", DeleteAsync)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("DeleteGroup").WithSummary("Deletes the group's committed offsets; only while it has no members (409 otherwise).");
        return api;
    }

    private static async Task<Ok<Page<GroupListItem>>> ListAsync(IClusterClient client, string? cursor, int? limit)
    {
        var size = Paging.Limit(limit);
        var listings = (await new OrkaAdmin(client).ListGroupsAsync()).ToDictionary(g => g.GroupId, StringComparer.Ordinal);
        var page = Paging.KeysAfter(listings.Keys, cursor, size);
        var items = await Task.WhenAll(page.Take(size).Select(async id =>
        {
            var listing = listings[id];
            var group = client.GetGrain<IConsumerGroupGrain>(id);
            var description = group.DescribeAsync();
            var lag = group.GetLagAsync();
            return new GroupListItem(id, listing.State, listing.ProtocolType, (await description).Members.Length, TotalLag(await lag));
        }));
        return TypedResults.Ok(new Page<GroupListItem>(items, page.Count > size ? Paging.Encode(page[size - 1]) : null));
    }

    private static async Task<Ok<GroupDetails>> DescribeAsync(IClusterClient client, TimeProvider time, string groupId)
    {
        var admin = new OrkaAdmin(client);
        var description = await admin.DescribeGroupAsync(groupId);
        var lag = await client.GetGrain<IConsumerGroupGrain>(groupId).GetLagAsync();
        var lagAt = time.GetUtcNow();
        var members = description.Members.Select(m => new GroupMemberView(
            m.MemberId,
            m.ClientId,
            ConsumerProtocolCodec.TryDecodeAssignment(m.Assignment.Span, out var partitions)
                ? partitions.GroupBy(p => p.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new TopicAssignmentView(g.Key, g.Select(p => p.Partition).Order().ToList())).ToList()
                : [])).ToList();
        var offsets = lag
            .OrderBy(l => l.Partition.Topic, StringComparer.Ordinal).ThenBy(l => l.Partition.Partition)
            .Select(l => new GroupOffsetView(l.Partition.Topic, l.Partition.Partition, l.CommittedOffset, l.LogEndOffset, l.Lag, l.MemberId))
            .ToList();
        return TypedResults.Ok(new GroupDetails(
            description.GroupId,
            description.State,
            description.ProtocolType,
            description.ProtocolName,
            description.GenerationId,
            description.LeaderId,
            members,
            offsets,
            TotalLag(lag),
            lagAt));
    }

    private static async Task<Ok<IReadOnlyList<LagSample>>> LagHistoryAsync(IClusterClient client, ThroughputSampler sampler, string groupId, long? since)
    {
        var after = Since(since);
        await new OrkaAdmin(client).DescribeGroupAsync(groupId); // 404 for a group that does not exist
        return TypedResults.Ok(sampler.LagHistoryOf(groupId, after));
    }

    private static async Task<Ok<IReadOnlyList<CommittedOffsetView>>> ResetAsync(HttpContext context, IClusterClient client, string groupId)
    {
        var request = await JsonBody.ReadAsync<ResetOffsetsRequest>(context);
        Names.ValidateGroupId(groupId);
        var committed = await new OrkaAdmin(client).ResetGroupOffsetsAsync(
            groupId,
            new OffsetResetRequest(request.Topic, request.Partitions is null ? [] : [.. request.Partitions], request.Kind, request.Value));
        return TypedResults.Ok<IReadOnlyList<CommittedOffsetView>>(committed
            .OrderBy(c => c.Partition.Partition)
            .Select(c => new CommittedOffsetView(c.Partition.Topic, c.Partition.Partition, c.Offset)).ToList());
    }

    private static async Task<NoContent> DeleteAsync(IClusterClient client, string groupId)
    {
        await new OrkaAdmin(client).DeleteGroupAsync(groupId);
        return TypedResults.NoContent();
    }

    /// <summary>Sum of the partitions' lags, leaving out partitions whose lag is unknown (-1: node down).</summary>
    internal static long TotalLag(IEnumerable<PartitionLag> lag) => lag.Where(l => l.Lag > 0).Sum(l => l.Lag);

    /// <summary>A history's <c>since</c> parameter (Unix ms) as a time; InvalidRequest when out of range.</summary>
    internal static DateTimeOffset? Since(long? since) => since switch
    {
        null => null,
        >= 0 and <= 253_402_300_799_999 => DateTimeOffset.FromUnixTimeMilliseconds(since.Value),
        _ => throw new OrkaException(OrkaErrorCode.InvalidRequest, $"since must be Unix milliseconds between 0 and 253402300799999; got {since}."),
    };
}
