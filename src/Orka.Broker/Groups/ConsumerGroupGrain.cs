using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Telemetry;

namespace Orka.Broker.Groups;

/// <summary>
/// A consumer group: hosts its <see cref="ClassicGroup"/> (the classic group protocol) and owns the
/// group's persisted state (committed offsets, generation counter, when it became empty).
/// </summary>
/// <remarks>
/// <para>The grain only adapts: it hands each request to the state machine, holds the parked
/// JoinGroup and SyncGroup calls (<see cref="ParkedCalls{TResult}"/>) and answers or fails them as
/// the machine's <see cref="GroupChanges"/> say, persists a new generation before any member hears
/// of it (a restarted grain never hands one out twice), and runs the timers: a 100 ms tick while
/// the machine is not idle, offset retention (<see cref="OffsetRetention"/>) and lag telemetry.
/// The cluster grain's group list, lag (<see cref="GroupLagCalculator"/>) and offset resets
/// (<see cref="OffsetResetResolver"/>) are here too, as they call other grains.</para>
/// <para>Concurrency: <c>JoinAsync</c> and <c>SyncAsync</c> are <c>[AlwaysInterleave]</c> long polls;
/// every other call and the timers run one at a time. Each event reaches the machine synchronously
/// between awaits, so an interleaved call always sees a consistent group. Membership is in memory
/// only; the state goes through one <see cref="GroupStateWriter"/>.</para>
/// </remarks>
internal sealed class ConsumerGroupGrain(
    [PersistentState("group", MetadataStore.Name)] IPersistentState<ConsumerGroupState> state,
    TimeProvider time,
    IOptions<OrkaGroupOptions> options,
    GroupLagMetrics lagMetrics,
    ILogger<ConsumerGroupGrain> logger) : Grain, IConsumerGroupGrain
{
    /// <summary>
    /// Longest a JoinGroup or SyncGroup call is held, safely under Orleans' default 30 s response
    /// timeout. After it the call fails with REBALANCE_IN_PROGRESS and the caller sends it again.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    /// <summary>How often the protocol's deadlines are checked while the group has members or pending ids.</summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);

    private ClassicGroup _group = null!;
    private ParkedCalls<JoinGroupResult> _joins = null!;
    private ParkedCalls<SyncGroupResult> _syncs = null!;
    private GroupStateWriter _writer = null!;
    private IGrainTimer? _tick;

    // Whether this activation has told the cluster grain the group exists. Cleared when the
    // registry forgets the group (see GetListingAsync) so that the group registers again.
    private bool _registered;

    /// <summary>Members, pending joins or offsets: the group exists as far as Kafka's ListGroups is concerned.</summary>
    private bool Exists => _group.Members.Count > 0 || _group.HasPendingMembers || state.State.Offsets.Count > 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var groupId = this.GetPrimaryKeyString();
        // Continue after the last generation handed out (persisted before it was announced).
        _group = new ClassicGroup(groupId, time, logger, state.State.Generation);
        _joins = new ParkedCalls<JoinGroupResult>(groupId, time);
        _syncs = new ParkedCalls<SyncGroupResult>(groupId, time);
        _writer = new GroupStateWriter(state, groupId, logger);
        if (state.State.EmptySince is null && state.State.Offsets.Count > 0)
        {
            // Members were lost with the previous activation: the group is empty from now on.
            state.State.EmptySince = time.GetUtcNow();
        }

        await ExpireOffsetsAsync(unregister: false);
        var retention = options.Value.OffsetsRetentionCheckInterval;
        this.RegisterGrainTimer(_ => ExpireOffsetsAsync(unregister: true), new GrainTimerCreationOptions(retention, retention));
        var lagPeriod = options.Value.LagMetricsInterval;
        this.RegisterGrainTimer(_ => ReportLagAsync(), new GrainTimerCreationOptions(lagPeriod, lagPeriod) { Interleave = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        lagMetrics.Remove(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task<JoinGroupResult> JoinAsync(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        GroupId();
        JoinRequestValidator.Validate(request);
        if (request.ProtocolType == ClassicGroup.NativeProtocolType)
        {
            // Server-side assignment needs the partition counts; fetched before the join reaches the group.
            var topics = ServerAssignment.Subscription(request);
            var metadata = await Task.WhenAll(topics.Select(t => GrainFactory.GetGrain<ITopicGrain>(t).GetMetadataAsync()));
            for (var i = 0; i < topics.Length; i++)
            {
                _group.SetPartitionCount(topics[i], metadata[i]?.PartitionCount ?? 0);
            }
        }

        if (request.MemberId.Length > 0 && _group.Knows(request.MemberId))
        {
            // Before the join reaches the group: joins interleave, and everything after this await is
            // synchronous. The pending id keeps the group listed while the registration is under way.
            await EnsureRegisteredAsync();
        }

        var reply = _group.Join(request);
        EnsureTick();
        if (reply.Ticket is not { } ticket)
        {
            Apply(reply.Changes);
            return reply.Answer!;
        }

        var waiter = _joins.Park(ticket);
        Apply(reply.Changes);
        return await _joins.WaitAsync(ticket, waiter, () => _group.Unpark(request.MemberId, ticket));
    }

    public async Task<SyncGroupResult> SyncAsync(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        GroupId();
        var reply = _group.Sync(request);
        if (reply.Ticket is not { } ticket)
        {
            Apply(reply.Changes);
            return reply.Answer!;
        }

        var waiter = _syncs.Park(ticket);
        Apply(reply.Changes);
        return await _syncs.WaitAsync(ticket, waiter, () => _group.Unpark(request.MemberId, ticket));
    }

    public Task HeartbeatAsync(int generationId, string memberId)
    {
        GroupId();
        _group.Heartbeat(generationId, memberId);
        return Task.CompletedTask;
    }

    public Task LeaveAsync(string memberId)
    {
        GroupId();
        Apply(_group.Leave(memberId));
        return Task.CompletedTask;
    }

    public Task CommitAsync(ImmutableArray<CommittedOffset> offsets) => CommitAsync(-1, "", offsets);

    public async Task CommitAsync(int generationId, string memberId, ImmutableArray<CommittedOffset> offsets)
    {
        GroupId();
        // Before the membership checks: Join and Sync interleave with this await.
        await OffsetCommitValidator.ValidateAsync(GrainFactory, options.Value, offsets);
        _group.AcceptCommit(generationId, memberId);
        var now = time.GetUtcNow();
        Store(offsets, now);
        if (_group.Members.Count == 0)
        {
            // A simple commit to a group that never had members: its offsets age from now.
            state.State.EmptySince ??= now;
        }

        await _writer.WriteAsync();
        await EnsureRegisteredAsync();
    }

    public Task<ImmutableArray<CommittedOffset>> GetCommittedAsync(string? topic = null)
    {
        GroupId();
        return Task.FromResult(state.State.Offsets.Values
            .Where(o => topic is null || o.Partition.Topic == topic)
            .OrderBy(o => o.Partition.Topic, StringComparer.Ordinal)
            .ThenBy(o => o.Partition.Partition)
            .ToImmutableArray());
    }

    public Task<GroupDescription> DescribeAsync()
    {
        GroupId();
        return Task.FromResult(_group.Describe(Exists));
    }

    public Task<GroupListing?> GetListingAsync()
    {
        var groupId = GroupId();
        if (!Exists)
        {
            _registered = false;
            return Task.FromResult<GroupListing?>(null);
        }

        var protocolType = _group.Members.Count > 0 ? _group.ProtocolType ?? "" : "";
        return Task.FromResult<GroupListing?>(new GroupListing(groupId, _group.State, protocolType));
    }

    public async Task DeleteAsync()
    {
        var groupId = GroupId();
        if (_group.Members.Count > 0)
        {
            throw new OrkaException(OrkaErrorCode.NonEmptyGroup, $"Group '{groupId}' has {_group.Members.Count} active members; stop its consumers before deleting it.");
        }

        if (state.State.Offsets.Count == 0)
        {
            throw new OrkaException(OrkaErrorCode.GroupIdNotFound, $"Group '{groupId}' does not exist.");
        }

        state.State.Offsets.Clear();
        state.State.CommittedAt.Clear();
        state.State.EmptySince = null;
        await _writer.ClearAsync(() => _group.Generation);
        _registered = false;
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RemoveGroupAsync(groupId);
        logger.LogInformation("Deleted group {Group}", groupId);
    }

    public Task<ImmutableArray<PartitionLag>> GetLagAsync()
    {
        GroupId();
        // Snapshot what the group knows before the first await: calls interleave with this one.
        var committed = state.State.Offsets.Values.ToDictionary(o => o.Partition, o => o.Offset);
        return GroupLagCalculator.GetLagAsync(GrainFactory, committed, _group.CurrentOwners());
    }

    public async Task<ImmutableArray<CommittedOffset>> ResetOffsetsAsync(OffsetResetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var groupId = GroupId();
        OffsetResetResolver.Validate(request);
        EnsureEmptyForReset(groupId);
        var offsets = await OffsetResetResolver.ResolveAsync(GrainFactory, request);

        // Members may have joined while the partitions answered: check again before anything moves.
        EnsureEmptyForReset(groupId);
        var now = time.GetUtcNow();
        Store(offsets, now);
        state.State.EmptySince ??= now;
        await _writer.WriteAsync();
        await EnsureRegisteredAsync();
        logger.LogInformation("Group {Group} reset {Count} offsets of topic {Topic} to {Kind} {Value}", groupId, offsets.Length, request.Topic, request.Kind, request.Value);
        return [.. offsets];
    }

    /// <summary>Carries out what the state machine asked for beyond the caller's answer.</summary>
    private void Apply(GroupChanges changes)
    {
        foreach (var (ticket, error) in changes.Failures)
        {
            if (!_joins.TryFail(ticket, error))
            {
                _syncs.TryFail(ticket, error);
            }
        }

        foreach (var (ticket, result) in changes.Syncs)
        {
            _syncs.TryComplete(ticket, result);
        }

        if (changes.NewGeneration is { } generation)
        {
            state.State.Generation = generation;
        }

        if (changes.BecameEmpty is { } empty)
        {
            // The group lost its last member: offsets start to age. Or it got its first: they stop.
            state.State.EmptySince = empty ? time.GetUtcNow() : null;
            _writer.WriteInBackground(empty ? "became empty" : "got a member");
        }

        if (changes.NewGeneration is not null && changes.BecameEmpty != true)
        {
            _ = AnnounceAsync(changes.Joins);
        }
    }

    /// <summary>Persists the new generation, then answers the joins waiting for it (or fails them if it could not be stored).</summary>
    private async Task AnnounceAsync(IReadOnlyList<(long Ticket, JoinGroupResult Result)> answers)
    {
        try
        {
            await _writer.WriteAsync();
        }
        catch (Exception e)
        {
            foreach (var (ticket, _) in answers)
            {
                _joins.TryFail(ticket, new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' could not store its new generation ({e.Message}); join again."));
            }

            return;
        }

        foreach (var (ticket, result) in answers)
        {
            _joins.TryComplete(ticket, result);
        }
    }

    private void EnsureTick() =>
        _tick ??= this.RegisterGrainTimer(_ => OnTick(), new GrainTimerCreationOptions(TickPeriod, TickPeriod));

    private Task OnTick()
    {
        Apply(_group.Tick());
        if (_group.IsIdle)
        {
            _tick?.Dispose();
            _tick = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Deletes an empty group's expired offsets (<see cref="OffsetRetention"/>). A group left with
    /// nothing leaves the cluster's group list: at once when <paramref name="unregister"/>, else at the
    /// next ListGroups (an activating grain must not call the cluster grain: the cluster grain may be
    /// what is activating it, waiting for its answer).
    /// </summary>
    private async Task ExpireOffsetsAsync(bool unregister)
    {
        var retention = options.Value.OffsetsRetention;
        var expired = OffsetRetention.Expire(state.State, _group.Members.Count > 0, time.GetUtcNow(), retention);
        if (expired == 0)
        {
            return;
        }

        var groupId = this.GetPrimaryKeyString();
        logger.LogInformation("Group {Group}: {Count} committed offsets expired after {Retention} without members", groupId, expired, retention);
        await _writer.WriteAsync();
        if (unregister && !Exists)
        {
            _registered = false;
            await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RemoveGroupAsync(groupId);
        }
    }

    /// <summary>Recomputes the lag for the <c>orka.consumer.lag</c> gauge; a failure keeps the last figures.</summary>
    private async Task ReportLagAsync()
    {
        var groupId = this.GetPrimaryKeyString();
        if (!Exists)
        {
            lagMetrics.Remove(groupId);
            return;
        }

        try
        {
            lagMetrics.Update(groupId, await GetLagAsync());
        }
        catch (Exception e) when (e is OrkaException or TimeoutException)
        {
            logger.LogDebug(e, "Group {Group}: lag not refreshed", groupId);
        }
    }

    private void Store(IEnumerable<CommittedOffset> offsets, DateTimeOffset now)
    {
        foreach (var offset in offsets)
        {
            state.State.Offsets[offset.Partition.ToGrainKey()] = offset;
            state.State.CommittedAt[offset.Partition.ToGrainKey()] = now;
        }
    }

    private void EnsureEmptyForReset(string groupId)
    {
        if (_group.Members.Count > 0)
        {
            throw new OrkaException(OrkaErrorCode.NonEmptyGroup,
                $"Group '{groupId}' has {_group.Members.Count} active members; offsets can only be reset while the group is empty. Stop its consumers and try again.");
        }
    }

    /// <summary>Tells the cluster grain this group exists, once per activation (or after it was forgotten).</summary>
    private async Task EnsureRegisteredAsync()
    {
        if (!_registered)
        {
            await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).AddGroupAsync(GroupId());
            _registered = true;
        }
    }

    private string GroupId()
    {
        var groupId = this.GetPrimaryKeyString();
        Names.ValidateGroupId(groupId);
        return groupId;
    }
}
