using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;

namespace Orka.Broker.Tests;

/// <summary>
/// Kafka's classic group protocol on <see cref="IConsumerGroupGrain"/>, driven as a Kafka client
/// would drive it: join (twice, the first to get a member id), sync, heartbeat, leave, commit.
/// </summary>
[Collection(nameof(ClusterCollection))]
public sealed class ConsumerGroupTests(ClusterFixture fixture)
{
    // Bounds every await on the group; a rebalance here takes at most the 2 s rebalance timeout.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(2);

    private IConsumerGroupGrain NewGroup(string name) => fixture.Grains.GetGrain<IConsumerGroupGrain>($"{name}-{Guid.NewGuid():N}");

    /// <summary>Partition 0 of a new one-partition topic (offsets are committed only for partitions that exist).</summary>
    private async Task<TopicPartition> NewPartitionAsync(string prefix)
    {
        var topic = $"{prefix}-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 1));
        return new TopicPartition(topic, 0);
    }

    // Intent: members joining together form one generation; the leader sees everyone's metadata and each member gets its own assignment.
    [Fact]
    public async Task Group_ThreeMembersJoinAndSync_OneGenerationLeaderSeesAllEachGetsOwnAssignment()
    {
        var group = NewGroup("three");
        var ids = await NewMemberIdsAsync(group, "a", "b", "c");

        var joined = await JoinAllAsync(group, ids);

        Assert.Single(joined.Select(j => j.GenerationId).Distinct());
        Assert.Single(joined.Select(j => j.LeaderId).Distinct());
        Assert.All(joined, j => Assert.Equal("range", j.ProtocolName));
        var leader = Assert.Single(joined, j => j.IsLeader);
        Assert.Contains(leader.MemberId, ids);
        Assert.Equal(ids.Order(), leader.Members.Select(m => m.MemberId).Order());
        Assert.All(leader.Members, m => Assert.Equal(Metadata(m.MemberId, "range"), Encoding.UTF8.GetString(m.Metadata.Span)));
        Assert.All(joined.Where(j => !j.IsLeader), j => Assert.Empty(j.Members));

        var assignments = await SyncAllAsync(group, joined);

        Assert.All(joined, j => Assert.Equal(Assignment(j.MemberId), assignments[j.MemberId]));
        var description = await group.DescribeAsync();
        Assert.Equal((GroupState.Stable, "consumer", "range", leader.GenerationId), (description.State, description.ProtocolType, description.ProtocolName, description.GenerationId));
        Assert.All(description.Members, m => Assert.Equal(Assignment(m.MemberId), Encoding.UTF8.GetString(m.Assignment.Span)));
    }

    // Intent: after a member leaves, the others are told to rejoin and the next generation holds just them.
    [Fact]
    public async Task Group_MemberLeavesThenOthersRejoin_NextGenerationHasRemainingMembers()
    {
        var group = NewGroup("leave");
        var joined = await FormGroupAsync(group, "a", "b", "c");
        var generation = joined[0].GenerationId;
        var leaving = joined.First(j => !j.IsLeader).MemberId;
        var staying = joined.Select(j => j.MemberId).Where(id => id != leaving).ToList();

        await group.LeaveAsync(leaving);

        var heartbeat = await Assert.ThrowsAsync<OrkaException>(() => group.HeartbeatAsync(generation, staying[0]));
        Assert.Equal(OrkaErrorCode.RebalanceInProgress, heartbeat.Code);
        var rejoined = await JoinAllAsync(group, staying);
        Assert.All(rejoined, j => Assert.Equal(generation + 1, j.GenerationId));
        Assert.Equal(staying.Order(), Assert.Single(rejoined, j => j.IsLeader).Members.Select(m => m.MemberId).Order());
        await SyncAllAsync(group, rejoined);
        Assert.Equal(staying.Order(), (await group.DescribeAsync()).Members.Select(m => m.MemberId).Order());
        var gone = await Assert.ThrowsAsync<OrkaException>(() => group.HeartbeatAsync(generation + 1, leaving));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, gone.Code);
    }

    // Intent: a member that stops heartbeating is removed once its session times out, and the group rebalances without it.
    [Fact]
    public async Task Group_MemberStopsHeartbeating_RemovedAfterSessionTimeout()
    {
        var session = TimeSpan.FromSeconds(1);
        var group = NewGroup("session");
        var ids = await NewMemberIdsAsync(group, "alive", "silent");
        var joined = await JoinAllAsync(group, ids, session);
        var silentSince = Stopwatch.StartNew(); // the sync is the last the group hears from either member
        await SyncAllAsync(group, joined);
        var generation = await CurrentAsync(group, ids);
        var (alive, silent) = (ids[0], ids[1]);

        // The live member heartbeats until the group tells it to rejoin: that is the silent one expiring.
        await UntilAsync(async () =>
        {
            try
            {
                await group.HeartbeatAsync(generation, alive);
                return false;
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.RebalanceInProgress)
            {
                return true;
            }
        }, "the silent member's session to expire");

        Assert.True(silentSince.Elapsed >= session, $"removed after {silentSince.Elapsed}, before its {session} session timeout");
        var rejoined = await JoinAllAsync(group, [alive], session);
        Assert.Equal(generation + 1, rejoined[0].GenerationId);
        Assert.Equal([alive], rejoined[0].Members.Select(m => m.MemberId));
        var e = await Assert.ThrowsAsync<OrkaException>(() => group.HeartbeatAsync(generation, silent));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, e.Code);
    }

    // Intent: a commit from a previous generation is fenced off and leaves the committed offsets as they were.
    [Fact]
    public async Task Group_CommitWithStaleGeneration_RefusedOffsetsUnchanged()
    {
        var group = NewGroup("fenced");
        var member = (await FormGroupAsync(group, "a"))[0];
        var partition = await NewPartitionAsync("fenced-topic");
        await group.CommitAsync(member.GenerationId, member.MemberId, [new CommittedOffset(partition, 5)]);

        // The leader rejoining starts the next generation.
        var next = (await JoinAllAsync(group, [member.MemberId]))[0];
        await SyncAllAsync(group, [next]);
        Assert.Equal(member.GenerationId + 1, next.GenerationId);

        var stale = await Assert.ThrowsAsync<OrkaException>(() => group.CommitAsync(member.GenerationId, member.MemberId, [new CommittedOffset(partition, 9)]));
        Assert.Equal(OrkaErrorCode.IllegalGeneration, stale.Code);
        var stranger = await Assert.ThrowsAsync<OrkaException>(() => group.CommitAsync(next.GenerationId, "stranger", [new CommittedOffset(partition, 9)]));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, stranger.Code);
        Assert.Equal([(partition, 5L)], await CommittedAsync(group));

        await group.CommitAsync(next.GenerationId, next.MemberId, [new CommittedOffset(partition, 7)]);
        Assert.Equal([(partition, 7L)], await CommittedAsync(group));
    }

    // Intent: a generation-less (simple consumer) commit works on an empty group only, as in Kafka.
    [Fact]
    public async Task Group_SimpleCommit_RefusedWhileMembersActiveAllowedWhenEmpty()
    {
        var group = NewGroup("simple");
        var partition = await NewPartitionAsync("simple-topic");
        await group.CommitAsync([new CommittedOffset(partition, 1)]);

        var member = (await FormGroupAsync(group, "a"))[0];
        var refused = await Assert.ThrowsAsync<OrkaException>(() => group.CommitAsync([new CommittedOffset(partition, 2)]));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, refused.Code);
        Assert.Equal([(partition, 1L)], await CommittedAsync(group));

        await group.LeaveAsync(member.MemberId);
        Assert.Equal(GroupState.Empty, (await group.DescribeAsync()).State);
        await group.CommitAsync([new CommittedOffset(partition, 3)]);
        Assert.Equal([(partition, 3L)], await CommittedAsync(group));
    }

    // Intent: while a new generation waits for the leader's assignment, no commit is taken, fenced or simple.
    [Fact]
    public async Task Group_CommitWhileAwaitingAssignment_RefusedWithRebalanceInProgress()
    {
        var group = NewGroup("awaiting");
        var member = (await JoinAllAsync(group, await NewMemberIdsAsync(group, "a")))[0];
        var offsets = ImmutableArray.Create(new CommittedOffset(await NewPartitionAsync("awaiting-topic"), 4));

        Assert.Equal(GroupState.CompletingRebalance, (await group.DescribeAsync()).State);
        Assert.Equal(OrkaErrorCode.RebalanceInProgress, (await Assert.ThrowsAsync<OrkaException>(() => group.CommitAsync(member.GenerationId, member.MemberId, offsets))).Code);
        Assert.Equal(OrkaErrorCode.RebalanceInProgress, (await Assert.ThrowsAsync<OrkaException>(() => group.CommitAsync(offsets))).Code);
        Assert.Empty(await group.GetCommittedAsync());
    }

    // Intent: a first join without a member id gets one to join with; an id the group never issued is refused.
    [Fact]
    public async Task Group_JoinWithoutMemberId_AnswersMemberIdRequiredThenAcceptsIssuedId()
    {
        var group = NewGroup("member-id");

        var first = await group.JoinAsync(Join("", "client-x"));
        Assert.Equal((OrkaErrorCode.MemberIdRequired, -1), (first.ErrorCode, first.GenerationId));
        Assert.StartsWith("client-x-", first.MemberId, StringComparison.Ordinal);
        Assert.Equal(GroupState.Empty, (await group.DescribeAsync()).State);

        var madeUp = await Assert.ThrowsAsync<OrkaException>(() => group.JoinAsync(Join("client-x-made-up", "client-x")));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, madeUp.Code);

        var joined = await group.JoinAsync(Join(first.MemberId, "client-x")).WaitAsync(Bound);
        Assert.Equal((OrkaErrorCode.None, 1, first.MemberId), (joined.ErrorCode, joined.GenerationId, joined.LeaderId));
        Assert.Equal(GroupState.CompletingRebalance, (await group.DescribeAsync()).State);
    }

    // Intent: a member whose protocol type or protocols the group cannot run is refused before it gets an id.
    [Fact]
    public async Task Group_JoinWithInconsistentProtocols_RefusedWithInconsistentGroupProtocol()
    {
        var group = NewGroup("inconsistent");
        await FormGroupAsync(group, "a");

        foreach (var join in new[]
        {
            Join("", "b", protocols: "roundrobin"),
            Join("", "b") with { ProtocolType = "connect" },
            Join("", "b") with { Protocols = [] },
        })
        {
            var e = await Assert.ThrowsAsync<OrkaException>(() => group.JoinAsync(join));
            Assert.Equal(OrkaErrorCode.InconsistentGroupProtocol, e.Code);
        }

        Assert.Single((await group.DescribeAsync()).Members);
    }

    // Intent: a session timeout outside the group's bounds is refused with INVALID_SESSION_TIMEOUT.
    [Theory]
    [InlineData(100)]
    [InlineData(31 * 60 * 1000)]
    public async Task Group_JoinWithSessionTimeoutOutOfBounds_RefusedWithInvalidSessionTimeout(int sessionMs)
    {
        var group = NewGroup("session-bounds");
        var e = await Assert.ThrowsAsync<OrkaException>(() => group.JoinAsync(Join("", "a", TimeSpan.FromMilliseconds(sessionMs))));
        Assert.Equal(OrkaErrorCode.InvalidSessionTimeout, e.Code);
    }

    // Intent: the group runs the protocol every member supports that most members prefer.
    [Fact]
    public async Task Group_MembersPreferDifferentProtocols_ChoosesMostPreferredCommonOne()
    {
        var group = NewGroup("vote");
        var ids = await NewMemberIdsAsync(group, "a", "b", "c");
        var protocols = new[] { new[] { "range", "sticky", "roundrobin" }, ["roundrobin", "range"], ["roundrobin", "range", "sticky"] };

        var joined = await Task.WhenAll(ids.Select((id, i) => group.JoinAsync(Join(id, id, protocols: protocols[i])))).WaitAsync(Bound);

        Assert.All(joined, j => Assert.Equal("roundrobin", j.ProtocolName));
        Assert.All(Assert.Single(joined, j => j.IsLeader).Members, m => Assert.Equal(Metadata(m.MemberId, "roundrobin"), Encoding.UTF8.GetString(m.Metadata.Span)));
    }

    // Intent: a parked join does not hold the group: others are answered meanwhile and told to rejoin.
    [Fact]
    public async Task Group_JoinWaitingForOthers_DoesNotBlockOtherMembersCalls()
    {
        var group = NewGroup("interleave");
        var joined = await FormGroupAsync(group, "a", "b");
        var generation = joined[0].GenerationId;
        var (rejoining, other) = (joined[0].MemberId, joined[1].MemberId);

        var parked = group.JoinAsync(Join(rejoining, rejoining, protocols: ["range", "sticky"]));
        await UntilAsync(async () => (await group.DescribeAsync()).State == GroupState.PreparingRebalance, "the rejoin to start a rebalance");

        Assert.False(parked.IsCompleted, "the join answered before the other member rejoined");
        var heartbeat = await Assert.ThrowsAsync<OrkaException>(() => group.HeartbeatAsync(generation, other));
        Assert.Equal(OrkaErrorCode.RebalanceInProgress, heartbeat.Code);
        var sync = await Assert.ThrowsAsync<OrkaException>(() => group.SyncAsync(new SyncGroupRequest(generation, other, [])));
        Assert.Equal(OrkaErrorCode.RebalanceInProgress, sync.Code);
        var rejoined = await JoinAllAsync(group, [other]);
        Assert.Equal(generation + 1, (await parked.WaitAsync(Bound)).GenerationId);
        Assert.Equal(generation + 1, rejoined[0].GenerationId);
    }

    // Intent: a member whose session is still alive but that never rejoins is dropped when the rebalance timeout passes.
    [Fact]
    public async Task Group_MemberDoesNotRejoin_RemovedAtRebalanceTimeout()
    {
        var group = NewGroup("no-rejoin");
        var joined = await FormGroupAsync(group, "a", "b");
        var (rejoining, lagging) = (joined[0].MemberId, joined[1].MemberId);
        var started = Stopwatch.StartNew();

        // New metadata forces a rebalance (a follower rejoining unchanged would just get the current generation).
        var next = await group.JoinAsync(Join(rejoining, rejoining, protocols: ["range", "sticky"])).WaitAsync(Bound);

        Assert.True(started.Elapsed >= RebalanceTimeout, $"generation {next.GenerationId} started after {started.Elapsed}, before the rebalance timeout");
        Assert.Equal(joined[0].GenerationId + 1, next.GenerationId);
        Assert.Equal([rejoining], next.Members.Select(m => m.MemberId));
        var e = await Assert.ThrowsAsync<OrkaException>(() => group.HeartbeatAsync(joined[1].GenerationId, lagging));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, e.Code);
    }

    // Intent: sync and heartbeat from the wrong generation or an unknown member fail with Kafka's codes.
    [Fact]
    public async Task Group_SyncOrHeartbeatWithWrongGenerationOrMember_FailsWithKafkaCodes()
    {
        var group = NewGroup("fencing");
        var member = (await FormGroupAsync(group, "a"))[0];

        var cases = new (Func<Task> Call, OrkaErrorCode Code)[]
        {
            (() => group.SyncAsync(new SyncGroupRequest(member.GenerationId + 1, member.MemberId, [])), OrkaErrorCode.IllegalGeneration),
            (() => group.SyncAsync(new SyncGroupRequest(member.GenerationId, "stranger", [])), OrkaErrorCode.UnknownMemberId),
            (() => group.HeartbeatAsync(member.GenerationId - 1, member.MemberId), OrkaErrorCode.IllegalGeneration),
            (() => group.HeartbeatAsync(member.GenerationId, "stranger"), OrkaErrorCode.UnknownMemberId),
            (() => group.LeaveAsync("stranger"), OrkaErrorCode.UnknownMemberId),
        };
        foreach (var (call, code) in cases)
        {
            Assert.Equal(code, (await Assert.ThrowsAsync<OrkaException>(call)).Code);
        }

        await group.HeartbeatAsync(member.GenerationId, member.MemberId);
        Assert.Equal(Assignment(member.MemberId), Encoding.UTF8.GetString((await group.SyncAsync(new SyncGroupRequest(member.GenerationId, member.MemberId, []))).Assignment.Span));
    }

    private static string Metadata(string memberId, string protocol) => $"{memberId}:{protocol}";

    private static string Assignment(string memberId) => $"assignment of {memberId}";

    private static JoinGroupRequest Join(string memberId, string clientId, TimeSpan? session = null, params string[] protocols) => new(
        memberId,
        clientId,
        "consumer",
        [.. (protocols.Length == 0 ? ["range"] : protocols).Select(p => new GroupProtocol(p, Encoding.UTF8.GetBytes(Metadata(memberId, p))))],
        session ?? TimeSpan.FromSeconds(10),
        RebalanceTimeout);

    /// <summary>The first join of each client: the group answers MEMBER_ID_REQUIRED with the id to use.</summary>
    private static async Task<List<string>> NewMemberIdsAsync(IConsumerGroupGrain group, params string[] clients)
    {
        var ids = new List<string>();
        foreach (var client in clients)
        {
            var answer = await group.JoinAsync(Join("", client));
            Assert.Equal(OrkaErrorCode.MemberIdRequired, answer.ErrorCode);
            ids.Add(answer.MemberId);
        }

        return ids;
    }

    /// <summary>Joins every member at once and awaits the generation they form.</summary>
    private static async Task<JoinGroupResult[]> JoinAllAsync(IConsumerGroupGrain group, IEnumerable<string> ids, TimeSpan? session = null) =>
        await Task.WhenAll(ids.Select(id => group.JoinAsync(Join(id, id, session)))).WaitAsync(Bound);

    /// <summary>Followers sync first (they wait), then the leader hands out <see cref="Assignment"/> for everyone.</summary>
    private static async Task<Dictionary<string, string>> SyncAllAsync(IConsumerGroupGrain group, IReadOnlyList<JoinGroupResult> joined)
    {
        var leader = joined.Single(j => j.IsLeader);
        var followers = joined.Where(j => !j.IsLeader)
            .Select(j => (j.MemberId, Sync: group.SyncAsync(new SyncGroupRequest(j.GenerationId, j.MemberId, []))))
            .ToList();
        var assignments = leader.Members.Select(m => new GroupAssignment(m.MemberId, Encoding.UTF8.GetBytes(Assignment(m.MemberId)))).ToImmutableArray();
        var leaderSync = await group.SyncAsync(new SyncGroupRequest(leader.GenerationId, leader.MemberId, assignments)).WaitAsync(Bound);
        var result = new Dictionary<string, string> { [leader.MemberId] = Encoding.UTF8.GetString(leaderSync.Assignment.Span) };
        foreach (var (memberId, sync) in followers)
        {
            result[memberId] = Encoding.UTF8.GetString((await sync.WaitAsync(Bound)).Assignment.Span);
        }

        return result;
    }

    /// <summary>A stable group of the given clients: ids, join, sync.</summary>
    private static async Task<JoinGroupResult[]> FormGroupAsync(IConsumerGroupGrain group, params string[] clients)
    {
        var joined = await JoinAllAsync(group, await NewMemberIdsAsync(group, clients));
        await SyncAllAsync(group, joined);
        return joined;
    }

    private static async Task<List<(TopicPartition, long)>> CommittedAsync(IConsumerGroupGrain group) =>
        [.. (await group.GetCommittedAsync()).Select(c => (c.Partition, c.Offset))];

    private static async Task<int> CurrentAsync(IConsumerGroupGrain group, IReadOnlyCollection<string> expectedMembers)
    {
        var description = await group.DescribeAsync();
        Assert.Equal(GroupState.Stable, description.State);
        Assert.Equal(expectedMembers.Order(), description.Members.Select(m => m.MemberId).Order());
        return description.GenerationId;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails after <see cref="Bound"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string awaited)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > Bound)
            {
                Assert.Fail($"Timed out after {Bound} waiting for {awaited}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
