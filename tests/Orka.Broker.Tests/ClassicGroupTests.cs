using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orka.Broker.Groups;

namespace Orka.Broker.Tests;

/// <summary>
/// The classic group protocol's state machine on its own, without a cluster: requests and ticks go
/// in, time moves only when a test advances <see cref="ManualTimeProvider"/>, and each test checks
/// the answers, the parked calls answered through <see cref="GroupChanges"/> and the error codes.
/// </summary>
public sealed class ClassicGroupTests
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(30);

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UnixEpoch.AddDays(20_000));

    private readonly ClassicGroup _group;

    public ClassicGroupTests() => _group = new ClassicGroup("orders", _clock, NullLogger.Instance);

    // Intent: a lone member's join waits out the initial rebalance delay, then gets generation 1 as leader, persisted before it is told.
    [Fact]
    public void Join_OneMember_CompletesGenerationAfterInitialDelay()
    {
        var a = NewMemberId("a");

        var reply = _group.Join(Request(a));
        var early = _group.Tick();
        _clock.Advance(ClassicGroup.InitialRebalanceDelay);
        var changes = _group.Tick();

        Assert.Null(reply.Answer);
        Assert.False(reply.Changes.BecameEmpty);
        Assert.Empty(early.Joins);
        Assert.Equal(1, changes.NewGeneration);
        var (ticket, result) = Assert.Single(changes.Joins);
        Assert.Equal(reply.Ticket, ticket);
        Assert.Equal((OrkaErrorCode.None, 1, "range", a, a), (result.ErrorCode, result.GenerationId, result.ProtocolName, result.LeaderId, result.MemberId));
        Assert.Equal(new[] { a }, result.Members.Select(m => m.MemberId));
        Assert.Equal(GroupState.CompletingRebalance, _group.State);
    }

    // Intent: a second member joining a stable group starts a rebalance; once the first rejoins, both get generation 2.
    [Fact]
    public void Join_SecondMemberJoinsStableGroup_RebalanceGivesBothTheNextGeneration()
    {
        var a = FormStableGroup("a").Single();
        var b = NewMemberId("b");

        var joinB = _group.Join(Request(b));
        var stateAfterB = _group.State;
        var rejoinA = _group.Join(Request(a));

        Assert.Equal(GroupState.PreparingRebalance, stateAfterB);
        Assert.Empty(joinB.Changes.Joins);
        Assert.Equal(2, rejoinA.Changes.NewGeneration);
        var results = rejoinA.Changes.Joins.ToDictionary(j => j.Ticket, j => j.Result);
        Assert.Equal(new[] { joinB.Ticket!.Value, rejoinA.Ticket!.Value }, results.Keys.Order());
        Assert.All(results.Values, r => Assert.Equal((2, a), (r.GenerationId, r.LeaderId)));
        Assert.Equal(new[] { a, b }, results[rejoinA.Ticket.Value].Members.Select(m => m.MemberId));
        Assert.Empty(results[joinB.Ticket.Value].Members);
    }

    // Intent: a member silent for longer than its session timeout is removed at the next tick and the others must rejoin.
    [Fact]
    public void Tick_MemberMissesSessionTimeout_RemovedAndRebalanceFollows()
    {
        var ids = FormStableGroup("a", "b");
        var (a, b) = (ids[0], ids[1]);
        _clock.Advance(SessionTimeout / 2);
        _group.Heartbeat(1, a);
        _clock.Advance(SessionTimeout / 2 + TimeSpan.FromSeconds(1));

        _group.Tick();

        Assert.Equal(new[] { a }, _group.Members.Select(m => m.Id));
        Assert.Equal(GroupState.PreparingRebalance, _group.State);
        Assert.Equal(OrkaErrorCode.UnknownMemberId, Assert.Throws<OrkaException>(() => _group.Heartbeat(1, b)).Code);
        Assert.Equal(OrkaErrorCode.RebalanceInProgress, Assert.Throws<OrkaException>(() => _group.Heartbeat(1, a)).Code);
        var rejoin = _group.Join(Request(a));
        var (_, result) = Assert.Single(rejoin.Changes.Joins);
        Assert.Equal(2, result.GenerationId);
        Assert.Equal(new[] { a }, result.Members.Select(m => m.MemberId));
    }

    // Intent: the leader's SyncGroup hands each member its own assignment, including the follower that was waiting for it.
    [Fact]
    public void Sync_LeaderSendsAssignments_WaitingFollowerReceivesItsOwn()
    {
        var (leader, follower) = JoinTogether("a", "b");

        var followerSync = _group.Sync(new SyncGroupRequest(1, follower, []));
        var leaderSync = _group.Sync(new SyncGroupRequest(1, leader, [new(leader, Bytes("for a")), new(follower, Bytes("for b"))]));

        Assert.Null(followerSync.Answer);
        Assert.Equal("for a", Text(leaderSync.Answer!.Assignment));
        var (ticket, result) = Assert.Single(leaderSync.Changes.Syncs);
        Assert.Equal(followerSync.Ticket, ticket);
        Assert.Equal("for b", Text(result.Assignment));
        Assert.Equal(GroupState.Stable, _group.State);
    }

    // Intent: a heartbeat naming an earlier generation is fenced with ILLEGAL_GENERATION.
    [Fact]
    public void Heartbeat_StaleGeneration_IllegalGeneration()
    {
        var a = FormStableGroup("a").Single();

        var error = Assert.Throws<OrkaException>(() => _group.Heartbeat(0, a));

        Assert.Equal(OrkaErrorCode.IllegalGeneration, error.Code);
    }

    // Intent: a heartbeat from a member id the group does not know is answered UNKNOWN_MEMBER_ID.
    [Fact]
    public void Heartbeat_UnknownMember_UnknownMemberId()
    {
        FormStableGroup("a");

        var error = Assert.Throws<OrkaException>(() => _group.Heartbeat(1, "stranger"));

        Assert.Equal(OrkaErrorCode.UnknownMemberId, error.Code);
    }

    // Intent: while the group prepares a rebalance, a current member's heartbeat tells it to rejoin.
    [Fact]
    public void Heartbeat_DuringRebalance_RebalanceInProgress()
    {
        var a = FormStableGroup("a").Single();
        _group.Join(Request(NewMemberId("b")));

        var error = Assert.Throws<OrkaException>(() => _group.Heartbeat(1, a));

        Assert.Equal(OrkaErrorCode.RebalanceInProgress, error.Code);
    }

    // Intent: a member leaving while the others are rejoining completes the join without it, as soon as the rest are in.
    [Fact]
    public void Leave_DuringRebalance_CompletesJoinWithoutTheLeaver()
    {
        var ids = FormStableGroup("a", "b");
        var (a, b) = (ids[0], ids[1]);
        var c = NewMemberId("c");
        var joinC = _group.Join(Request(c));
        var rejoinA = _group.Join(Request(a));

        var changes = _group.Leave(b);

        Assert.Empty(rejoinA.Changes.Joins);
        Assert.Equal(2, changes.NewGeneration);
        Assert.Equal(new[] { joinC.Ticket!.Value, rejoinA.Ticket!.Value }, changes.Joins.Select(j => j.Ticket).Order());
        Assert.All(changes.Joins, j => Assert.Equal(2, j.Result.GenerationId));
        Assert.Equal(new[] { a, c }, _group.Members.Select(m => m.Id));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, Assert.Throws<OrkaException>(() => _group.Heartbeat(2, b)).Code);
    }

    // Intent: when the rebalance timeout passes, the join completes with the members that rejoined; one that only heartbeated is dropped.
    [Fact]
    public void Tick_RebalanceTimeoutPasses_CompletesJoinWithMembersThatRejoined()
    {
        var ids = FormStableGroup("a", "b");
        var (a, b) = (ids[0], ids[1]);
        var rejoinA = _group.Join(Request(a, metadata: "new topics"));
        for (var waited = TimeSpan.Zero; waited < RebalanceTimeout - SessionTimeout / 2; waited += SessionTimeout / 2)
        {
            _clock.Advance(SessionTimeout / 2);
            Assert.Equal(OrkaErrorCode.RebalanceInProgress, Assert.Throws<OrkaException>(() => _group.Heartbeat(1, b)).Code);
            Assert.Empty(_group.Tick().Joins);
        }

        _clock.Advance(SessionTimeout / 2);
        var changes = _group.Tick();

        Assert.Equal(2, changes.NewGeneration);
        var (ticket, result) = Assert.Single(changes.Joins);
        Assert.Equal(rejoinA.Ticket, ticket);
        Assert.Equal(new[] { a }, result.Members.Select(m => m.MemberId));
        Assert.Equal(new[] { a }, _group.Members.Select(m => m.Id));
        Assert.Equal(OrkaErrorCode.UnknownMemberId, Assert.Throws<OrkaException>(() => _group.Heartbeat(2, b)).Code);
    }

    /// <summary>A first join without an id: MEMBER_ID_REQUIRED with the id to join with.</summary>
    private string NewMemberId(string clientId)
    {
        var reply = _group.Join(Request("", clientId));
        Assert.Equal(OrkaErrorCode.MemberIdRequired, reply.Answer!.ErrorCode);
        return reply.Answer.MemberId;
    }

    /// <summary>Two members joining an empty group together: generation 1 after the initial delay; the first leads.</summary>
    private (string Leader, string Follower) JoinTogether(string first, string second)
    {
        var ids = JoinAll([first, second]);
        return (ids[0], ids[1]);
    }

    /// <summary>Members joining an empty group together, in order: generation 1 after the initial delay.</summary>
    private string[] JoinAll(string[] clientIds)
    {
        var ids = clientIds.Select(NewMemberId).ToArray();
        foreach (var id in ids)
        {
            _group.Join(Request(id));
        }

        _clock.Advance(ClassicGroup.InitialRebalanceDelay);
        var changes = _group.Tick();
        Assert.Equal(ids.Length, changes.Joins.Count);
        Assert.Equal(1, _group.Generation);
        return ids;
    }

    /// <summary>Generation 1 with the first member as leader and everyone synced: the group is Stable.</summary>
    private string[] FormStableGroup(params string[] clientIds)
    {
        var ids = JoinAll(clientIds);
        foreach (var follower in ids.Skip(1))
        {
            _group.Sync(new SyncGroupRequest(1, follower, []));
        }

        _group.Sync(new SyncGroupRequest(1, ids[0], [.. ids.Select(id => new GroupAssignment(id, Bytes(id)))]));
        Assert.Equal(GroupState.Stable, _group.State);
        return ids;
    }

    private static JoinGroupRequest Request(string memberId, string clientId = "client", string metadata = "topics") =>
        new(memberId, clientId, ClassicGroup.ConsumerProtocolType, [new GroupProtocol("range", Bytes(metadata))], SessionTimeout, RebalanceTimeout);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
