using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orka.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class GroupsApiTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = cluster.CreateHttpClient();

    private IConsumerGroupGrain Group(string id) => cluster.Client.GetGrain<IConsumerGroupGrain>(id);

    private async Task CommitAsync(string group, string topic, params long[] offsets) =>
        await Group(group).CommitAsync([.. offsets.Select((o, p) => new CommittedOffset(new TopicPartition(topic, p), o))]);

    private async Task<Dictionary<int, long>> CommittedAsync(string group, string topic) =>
        (await Group(group).GetCommittedAsync(topic)).ToDictionary(c => c.Partition.Partition, c => c.Offset);

    // Intent: list and describe show a group's committed offset, log end and lag per partition, and the total lag.
    [Fact]
    public async Task Group_ListAndDescribe_ShowCommittedOffsetsAndLag()
    {
        await _http.CreateTopicAsync("billing-in", 2);
        await _http.ProduceAsync("billing-in", 0, "a", "b", "c", "d", "e");
        await _http.ProduceAsync("billing-in", 1, "f", "g", "h");
        await CommitAsync("billing", "billing-in", 2, 3);

        var list = await _http.GetJsonAsync("api/groups?limit=1000");
        var listed = list.GetProperty("items").EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == "billing");
        Assert.Equal("Empty", listed.GetProperty("state").GetString());
        Assert.Equal(0, listed.GetProperty("members").GetInt32());
        Assert.Equal(3, listed.GetProperty("totalLag").GetInt64());

        var group = await _http.GetJsonAsync("api/groups/billing");
        Assert.Equal(3, group.GetProperty("totalLag").GetInt64());
        var offsets = group.GetProperty("offsets").EnumerateArray()
            .Select(o => (o.GetProperty("topic").GetString(), o.GetProperty("partition").GetInt32(), o.GetProperty("committedOffset").GetInt64(), o.GetProperty("logEndOffset").GetInt64(), o.GetProperty("lag").GetInt64()));
        Assert.Equal([("billing-in", 0, 2L, 5L, 3L), ("billing-in", 1, 3L, 3L, 0L)], offsets);
        Assert.Empty(group.GetProperty("members").EnumerateArray());
    }

    // Intent: while a group has a member, describe shows its assignment, and reset and delete are 409 NonEmptyGroup that move nothing.
    [Fact]
    public async Task Group_WithMember_AssignmentShown_ResetAndDelete409AndNothingChanged()
    {
        await _http.CreateTopicAsync("busy-in", 2);
        await _http.ProduceAsync("busy-in", 0, "a", "b");
        await CommitAsync("busy-group", "busy-in", 1, 0);
        var member = await JoinAloneAsync(Group("busy-group"), [new TopicPartition("busy-in", 0), new TopicPartition("busy-in", 1)]);

        var group = await _http.GetJsonAsync("api/groups/busy-group");
        Assert.Equal("Stable", group.GetProperty("state").GetString());
        var m = Assert.Single(group.GetProperty("members").EnumerateArray());
        Assert.Equal(member, m.GetProperty("memberId").GetString());
        var assignment = Assert.Single(m.GetProperty("assignment").EnumerateArray());
        Assert.Equal("busy-in", assignment.GetProperty("topic").GetString());
        Assert.Equal([0, 1], assignment.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()));

        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/groups/busy-group/offsets/reset", new { topic = "busy-in", kind = "Earliest" }),
            HttpStatusCode.Conflict,
            OrkaErrorCode.NonEmptyGroup);
        await Problem.AssertAsync(await _http.DeleteAsync("api/groups/busy-group"), HttpStatusCode.Conflict, OrkaErrorCode.NonEmptyGroup);
        Assert.Equal(new Dictionary<int, long> { [0] = 1, [1] = 0 }, await CommittedAsync("busy-group", "busy-in"));

        await Group("busy-group").LeaveAsync(member);
        var reset = await (await _http.PostAsJsonAsync("api/groups/busy-group/offsets/reset", new { topic = "busy-in", kind = "Latest" })).ReadJsonAsync();
        Assert.Equal([2L, 0L], reset.EnumerateArray().Select(o => o.GetProperty("offset").GetInt64()));
    }

    // Intent: an empty group's offsets move to earliest, latest, a timestamp and an exact offset; an offset outside the log is 416 and moves nothing.
    [Fact]
    public async Task Group_ResetOffsets_EveryKind_AndOutOfRangeMovesNothing()
    {
        await _http.CreateTopicAsync("reset-in", 1);
        var json = "{\"records\":[" + string.Join(",", Enumerable.Range(0, 6).Select(i => $"{{\"value\":\"{i}\",\"timestamp\":{2_000_000 + (i * 1000)}}}")) + "]}";
        await (await _http.PostAsync("api/topics/reset-in/records", Api.Json(json))).ReadJsonAsync();
        await CommitAsync("resetter", "reset-in", 3);

        async Task<long> ResetAsync(object body) =>
            (await (await _http.PostAsJsonAsync("api/groups/resetter/offsets/reset", body)).ReadJsonAsync())[0].GetProperty("offset").GetInt64();

        Assert.Equal(0, await ResetAsync(new { topic = "reset-in", kind = "Earliest" }));
        Assert.Equal(6, await ResetAsync(new { topic = "reset-in", kind = "Latest" }));
        Assert.Equal(4, await ResetAsync(new { topic = "reset-in", kind = "Timestamp", value = 2_003_500 }));
        Assert.Equal(2, await ResetAsync(new { topic = "reset-in", kind = "Offset", value = 2, partitions = new[] { 0 } }));
        Assert.Equal(2, (await _http.GetJsonAsync("api/groups/resetter")).GetProperty("offsets")[0].GetProperty("committedOffset").GetInt64());

        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/groups/resetter/offsets/reset", new { topic = "reset-in", kind = "Offset", value = 7 }),
            HttpStatusCode.RequestedRangeNotSatisfiable,
            OrkaErrorCode.OffsetOutOfRange);
        await Problem.AssertAsync(
            await _http.PostAsync("api/groups/resetter/offsets/reset", Api.Json("""{"topic":"reset-in","kind":"Sideways"}""")),
            HttpStatusCode.BadRequest,
            OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/groups/resetter/offsets/reset", new { topic = "no-such-topic", kind = "Earliest" }),
            HttpStatusCode.NotFound,
            OrkaErrorCode.UnknownTopicOrPartition);
        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/groups/resetter/offsets/reset", new { topic = "reset-in", kind = "Earliest", partitions = new[] { 4 } }),
            HttpStatusCode.NotFound,
            OrkaErrorCode.UnknownTopicOrPartition);
        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, await CommittedAsync("resetter", "reset-in"));
    }

    // Intent: deleting an empty group removes its offsets and its listing; afterwards it is 404 GroupIdNotFound.
    [Fact]
    public async Task Group_Delete_RemovesOffsetsAndListing()
    {
        await _http.CreateTopicAsync("doomed-in", 1);
        await CommitAsync("doomed", "doomed-in", 0);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync("api/groups/doomed")).StatusCode);
        Assert.Empty(await Group("doomed").GetCommittedAsync());
        var list = await _http.GetJsonAsync("api/groups?limit=1000");
        Assert.DoesNotContain("doomed", list.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("groupId").GetString()));
        await Problem.AssertAsync(await _http.GetAsync("api/groups/doomed"), HttpStatusCode.NotFound, OrkaErrorCode.GroupIdNotFound);
        await Problem.AssertAsync(await _http.DeleteAsync("api/groups/doomed"), HttpStatusCode.NotFound, OrkaErrorCode.GroupIdNotFound);
    }

    // Intent: the lag history shows a group's total and per-partition lag falling as it commits, sampled by the gateway in the background.
    [Fact]
    public async Task Group_LagHistory_RecordsLagFallingOverTime()
    {
        await _http.CreateTopicAsync("history-in", 2);
        await _http.ProduceAsync("history-in", 0, "a", "b", "c", "d");
        await _http.ProduceAsync("history-in", 1, "e", "f");
        await CommitAsync("historian", "history-in", 0, 0);
        await Api.EventuallyAsync(
            async () => (await _http.GetJsonAsync("api/groups/historian/lag/history")).EnumerateArray().Any(s => s.GetProperty("totalLag").GetInt64() == 6),
            TimeSpan.FromSeconds(20),
            "a lag sample of 6 for group 'historian'");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await CommitAsync("historian", "history-in", 3, 2);
        JsonElement last = default;
        await Api.EventuallyAsync(
            async () =>
            {
                var history = (await _http.GetJsonAsync("api/groups/historian/lag/history")).EnumerateArray().ToList();
                last = history[^1];
                return last.GetProperty("totalLag").GetInt64() == 1;
            },
            TimeSpan.FromSeconds(20),
            "the newest lag sample of group 'historian' to be 1");
        Assert.Equal(1, last.GetProperty("partitions").GetProperty("history-in/0").GetInt64());
        Assert.Equal(0, last.GetProperty("partitions").GetProperty("history-in/1").GetInt64());

        var history = (await _http.GetJsonAsync("api/groups/historian/lag/history")).EnumerateArray().Select(s => s.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(history.Order(), history);
        var recent = (await _http.GetJsonAsync($"api/groups/historian/lag/history?since={before}")).EnumerateArray().ToList();
        Assert.NotEmpty(recent);
        Assert.True(recent.Count < history.Count, "since must leave out the samples taken before it");
        await Problem.AssertAsync(await _http.GetAsync("api/groups/no-history/lag/history"), HttpStatusCode.NotFound, OrkaErrorCode.GroupIdNotFound);
        await Problem.AssertAsync(await _http.GetAsync("api/groups/historian/lag/history?since=-5"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
    }

    // Intent: an unknown group is 404 GroupIdNotFound, an invalid group id 400 InvalidGroupId, and neither creates a group.
    [Fact]
    public async Task Group_UnknownOrInvalid_404Or400AndNothingCreated()
    {
        await Problem.AssertAsync(await _http.GetAsync("api/groups/never-seen"), HttpStatusCode.NotFound, OrkaErrorCode.GroupIdNotFound);
        await Problem.AssertAsync(await _http.GetAsync("api/groups/bad%01id"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidGroupId);
        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/groups/bad%01id/offsets/reset", new { topic = "t", kind = "Earliest" }),
            HttpStatusCode.BadRequest,
            OrkaErrorCode.InvalidGroupId);
        var listed = (await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListGroupsAsync()).Select(g => g.GroupId);
        Assert.DoesNotContain("never-seen", listed);
    }

    // Intent: walking the group list with limit=1 and the cursors visits every group exactly once, in id order.
    [Fact]
    public async Task Groups_ListWithCursor_VisitsEveryGroupOnce()
    {
        await _http.CreateTopicAsync("paging-groups-in", 1);
        var mine = Enumerable.Range(0, 3).Select(i => $"pg-{i}").ToList();
        foreach (var id in mine)
        {
            await CommitAsync(id, "paging-groups-in", 0);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _http.GetJsonAsync($"api/groups?limit=1{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("groupId").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.All(mine, id => Assert.Contains(id, seen));
    }

    // Intent: a topic's records/s out rises above zero while a group commits its way through it.
    [Fact]
    public async Task Topic_WhileGroupCommits_RecordsOutPerSecondAboveZero()
    {
        await _http.CreateTopicAsync("drained", 1);
        await _http.ProduceAsync("drained", 0, [.. Enumerable.Range(0, 500).Select(i => $"{i}")]);

        // Each poll first commits two records further, so the group keeps consuming while the gateway samples.
        var next = 0;
        await Api.EventuallyAsync(
            async () =>
            {
                next = Math.Min(next + 2, 500);
                await CommitAsync("drainer", "drained", next);
                return (await _http.GetJsonAsync("api/topics/drained")).GetProperty("recordsOutPerSecond").GetDouble() > 0;
            },
            TimeSpan.FromSeconds(20),
            "topic 'drained' to show records/s out > 0 while group 'drainer' commits");
    }

    /// <summary>Joins one member running the consumer protocol and hands it <paramref name="partitions"/>; returns its member id.</summary>
    internal static async Task<string> JoinAloneAsync(IConsumerGroupGrain group, ImmutableArray<TopicPartition> partitions)
    {
        JoinGroupRequest Join(string id) => new(id, "gateway-test", "consumer", [new GroupProtocol("range", ConsumerProtocolCodec.EncodeSubscription(new([], [])))],
            TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        var id = (await group.JoinAsync(Join(""))).MemberId;
        var joined = await group.JoinAsync(Join(id)).WaitAsync(Bound);
        await group.SyncAsync(new SyncGroupRequest(joined.GenerationId, id, [new GroupAssignment(id, ConsumerProtocolCodec.EncodeAssignment(partitions))])).WaitAsync(Bound);
        return id;
    }
}
