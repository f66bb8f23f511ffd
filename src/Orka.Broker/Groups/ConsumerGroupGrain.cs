using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Telemetry;

namespace Orka.Broker.Groups;

/// <summary>
/// A consumer group: Kafka's classic group protocol and the group's committed offsets.
/// </summary>
/// <remarks>
/// <para>States (Kafka's): <c>Empty</c> → a join starts <c>PreparingRebalance</c>, which waits until
/// every known member has rejoined (or the largest rebalance timeout passes, and the members that
/// did not rejoin are dropped) → <c>CompletingRebalance</c>: a new generation with a leader and a
/// protocol, waiting for the leader's assignments → <c>Stable</c>. A join with new metadata, a leave
/// or an expired session sends a non-empty group back to <c>PreparingRebalance</c>; when the last
/// member goes the group is <c>Empty</c> again. The first rebalance of an empty group waits
/// <see cref="InitialRebalanceDelay"/> (capped by the rebalance timeout) so that members starting
/// together land in one generation, like Kafka's <c>group.initial.rebalance.delay.ms</c>.</para>
/// <para>Concurrency: <c>JoinAsync</c> and <c>SyncAsync</c> are <c>[AlwaysInterleave]</c> long polls;
/// every other call and the timer run one at a time. Every state change happens synchronously
/// between awaits, so an interleaved call always sees a consistent group. Membership is in memory
/// only; committed offsets go through <see cref="IPersistentState{TState}"/>.</para>
/// </remarks>
internal sealed partial class ConsumerGroupGrain(
    [PersistentState("group", MetadataStore.Name)] IPersistentState<ConsumerGroupState> state,
    TimeProvider time,
    IOptions<OrkaGroupOptions> options,
    GroupLagMetrics lagMetrics,
    ILogger<ConsumerGroupGrain> logger) : Grain, IConsumerGroupGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Continue after the last generation handed out (persisted before it was announced).
        _generation = state.State.Generation;
        if (state.State.EmptySince is null && state.State.Offsets.Count > 0)
        {
            // Members were lost with the previous activation: the group is empty from now on.
            state.State.EmptySince = time.GetUtcNow();
        }

        await ExpireOffsetsAsync(unregister: false);
        StartRetentionTimer();
        var lagPeriod = options.Value.LagMetricsInterval;
        this.RegisterGrainTimer(_ => ReportLagAsync(), new GrainTimerCreationOptions(lagPeriod, lagPeriod) { Interleave = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        lagMetrics.Remove(this.GetPrimaryKeyString());
        return Task.CompletedTask;
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

    public Task CommitAsync(ImmutableArray<CommittedOffset> offsets) => CommitAsync(-1, "", offsets);

    public async Task CommitAsync(int generationId, string memberId, ImmutableArray<CommittedOffset> offsets)
    {
        GroupId();
        // Before the membership checks: Join and Sync interleave with this await.
        await OffsetCommitValidator.ValidateAsync(GrainFactory, options.Value, offsets);

        // Kafka's order of checks (GroupCoordinator.handleCommitOffsets): a generation-less commit is a
        // "simple consumer" and only allowed while nobody is in the group.
        if (generationId < 0 && _state == GroupState.Empty)
        {
        }
        else if (_state == GroupState.CompletingRebalance)
        {
            throw new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' is waiting for its assignment; commit after it.");
        }
        else if (!_members.TryGetValue(memberId, out var member))
        {
            throw UnknownMember(memberId);
        }
        else if (generationId != _generation)
        {
            throw IllegalGeneration(generationId);
        }
        else
        {
            member.LastSeen = time.GetTimestamp();
        }

        var now = time.GetUtcNow();
        foreach (var offset in offsets)
        {
            state.State.Offsets[offset.Partition.ToGrainKey()] = offset;
            state.State.CommittedAt[offset.Partition.ToGrainKey()] = now;
        }

        if (_members.Count == 0)
        {
            // A simple commit to a group that never had members: its offsets age from now.
            state.State.EmptySince ??= now;
        }

        await PersistAsync();
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
        // As Kafka: the protocol and member metadata are shown only once a generation has chosen them.
        var protocol = _state is GroupState.CompletingRebalance or GroupState.Stable ? _protocol ?? "" : "";
        var members = _members.Values
            .Select(m => new GroupMemberDescription(m.Id, m.ClientId, protocol.Length == 0 ? ReadOnlyMemory<byte>.Empty : m.MetadataFor(protocol), m.Assignment))
            .ToImmutableArray();
        // As Kafka's classic coordinator: a group it does not know is described as Dead with no members.
        var groupState = Exists ? _state : GroupState.Dead;
        return Task.FromResult(new GroupDescription(GroupId(), groupState, _protocolType ?? "", protocol, _generation, _leader ?? "", members));
    }

    private string GroupId()
    {
        var groupId = this.GetPrimaryKeyString();
        Names.ValidateGroupId(groupId);
        return groupId;
    }

    private OrkaException UnknownMember(string memberId) =>
        new(OrkaErrorCode.UnknownMemberId, $"'{memberId}' is not a member of group '{GroupId()}'; join again.");

    private OrkaException IllegalGeneration(int generationId) =>
        new(OrkaErrorCode.IllegalGeneration, $"Generation {generationId} is not group '{GroupId()}''s current generation {_generation}.");
}
