using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Orka.Broker.Groups;

// The classic group protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and session expiry.
internal sealed partial class ConsumerGroupGrain
{
    /// <summary>
    /// Longest a JoinGroup or SyncGroup call is held, safely under Orleans' default 30 s response
    /// timeout. After it the call fails with REBALANCE_IN_PROGRESS and the caller sends it again.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    /// <summary>How long the first rebalance of an empty group waits for more members (Kafka: 3 s).</summary>
    public static readonly TimeSpan InitialRebalanceDelay = TimeSpan.FromSeconds(3);

    /// <summary>Bounds on a member's session timeout (Kafka's broker defaults are 6 s to 30 min; tests need less).</summary>
    public static readonly TimeSpan MinSessionTimeout = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxSessionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>How often sessions, rebalance and sync deadlines are checked while the group has members.</summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);

    // Members in join order (the first becomes leader when there is none).
    private readonly OrderedDictionary<string, GroupMember> _members = new(StringComparer.Ordinal);

    // Member ids handed out with MEMBER_ID_REQUIRED, not yet used to join, with when they lapse.
    private readonly Dictionary<string, long> _pendingMembers = new(StringComparer.Ordinal);

    private GroupState _state = GroupState.Empty;
    private int _generation;
    private string? _protocolType;
    private string? _protocol;
    private string? _leader;

    // PreparingRebalance: complete when everyone has joined but not before _joinNotBefore, and at
    // _rebalanceDeadline at the latest. CompletingRebalance: members that have not synced by
    // _syncDeadline are dropped.
    private long _joinNotBefore;
    private long _rebalanceDeadline;
    private long _syncDeadline;

    private IGrainTimer? _timer;

    public async Task<JoinGroupResult> JoinAsync(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var groupId = GroupId();
        if (request.SessionTimeout < MinSessionTimeout || request.SessionTimeout > MaxSessionTimeout)
        {
            throw new OrkaException(OrkaErrorCode.InvalidSessionTimeout, $"Session timeout {request.SessionTimeout} is outside [{MinSessionTimeout}, {MaxSessionTimeout}].");
        }

        if (string.IsNullOrEmpty(request.ProtocolType) || request.Protocols.IsDefaultOrEmpty ||
            request.Protocols.Any(p => string.IsNullOrEmpty(p.Name)) ||
            request.Protocols.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != request.Protocols.Length)
        {
            throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol, "A join needs a protocol type and at least one protocol, each with a distinct name.");
        }

        if (request.ProtocolType == NativeProtocolType)
        {
            // Server-side assignment needs the partition counts; fetched before any change below.
            await RefreshPartitionCountsAsync(NativeSubscription(request));
        }

        if (request.MemberId.Length > 0 && (_members.ContainsKey(request.MemberId) || _pendingMembers.ContainsKey(request.MemberId)))
        {
            // Before any change below: joins interleave, and everything after this await is synchronous.
            // The pending id keeps the group listed while the registration is under way.
            await EnsureRegisteredAsync();
        }

        if (!SupportsProtocols(request))
        {
            throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol,
                $"Group '{groupId}' runs protocol type '{_protocolType}' with protocols its members share; [{string.Join(", ", request.Protocols.Select(p => p.Name))}] of '{request.ProtocolType}' does not fit.");
        }

        if (request.MemberId.Length == 0)
        {
            // Kafka ≥ v4: hand out an id and have the client join again with it, so that a retried
            // first join cannot leave a ghost member behind.
            var id = $"{request.ClientId}-{Guid.NewGuid():N}";
            _pendingMembers[id] = After(request.SessionTimeout);
            EnsureTimer();
            return new JoinGroupResult(OrkaErrorCode.MemberIdRequired, -1, "", "", "", id, []);
        }

        var isNew = false;
        if (!_members.TryGetValue(request.MemberId, out var member))
        {
            if (!_pendingMembers.Remove(request.MemberId))
            {
                throw UnknownMember(request.MemberId);
            }

            member = new GroupMember(request.MemberId);
            _members.Add(member.Id, member);
            isNew = true;
            if (_members.Count == 1)
            {
                OnEmptyChanged(empty: false);
            }
        }

        var unchanged = !isNew && member.Matches(request.Protocols);
        member.ClientId = request.ClientId;
        member.Protocols = request.Protocols;
        member.SessionTimeout = request.SessionTimeout;
        member.RebalanceTimeout = request.RebalanceTimeout > TimeSpan.Zero ? request.RebalanceTimeout : request.SessionTimeout;
        member.LastSeen = time.GetTimestamp();
        if (_members.Count == 1)
        {
            _protocolType = request.ProtocolType;
        }

        EnsureTimer();

        // A follower rejoining with nothing new just gets the current generation again (Kafka does the same).
        if (unchanged && (_state == GroupState.CompletingRebalance || (_state == GroupState.Stable && member.Id != _leader)))
        {
            return JoinResultFor(member, MembersForLeader());
        }

        if (_state != GroupState.PreparingRebalance)
        {
            PrepareRebalance(isNew ? $"member {member.Id} joined" : $"member {member.Id} rejoined");
        }

        member.Joined = true;
        member.JoinWaiter?.TrySetException(new OrkaException(OrkaErrorCode.RebalanceInProgress, "A newer join from the same member replaced this one."));
        var waiter = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.JoinWaiter = waiter;
        TryCompleteJoin();
        return await ParkAsync(waiter, () =>
        {
            if (member.JoinWaiter == waiter)
            {
                member.JoinWaiter = null;
            }
        });
    }

    public async Task<SyncGroupResult> SyncAsync(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        GroupId();
        if (!_members.TryGetValue(request.MemberId, out var member))
        {
            throw UnknownMember(request.MemberId);
        }

        if (request.GenerationId != _generation)
        {
            throw IllegalGeneration(request.GenerationId);
        }

        member.LastSeen = time.GetTimestamp();
        switch (_state)
        {
            case GroupState.Stable:
                return SyncResultFor(member);

            case GroupState.CompletingRebalance when member.Id == _leader:
                var assignments = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
                foreach (var assignment in request.Assignments.IsDefault ? [] : request.Assignments)
                {
                    assignments[assignment.MemberId] = assignment.Assignment;
                }

                member.Synced = true;
                _state = GroupState.Stable;
                logger.LogInformation("Group {Group} generation {Generation} is stable with {Members} members", GroupId(), _generation, _members.Count);
                foreach (var m in _members.Values)
                {
                    // Members the leader left out get an empty assignment, as in Kafka.
                    m.Assignment = assignments.GetValueOrDefault(m.Id);
                    m.LastSeen = time.GetTimestamp();
                    var parked = m.SyncWaiter;
                    m.SyncWaiter = null;
                    parked?.TrySetResult(SyncResultFor(m));
                }

                return SyncResultFor(member);

            case GroupState.CompletingRebalance:
                member.Synced = true;
                member.SyncWaiter?.TrySetException(new OrkaException(OrkaErrorCode.RebalanceInProgress, "A newer sync from the same member replaced this one."));
                var waiter = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                member.SyncWaiter = waiter;
                return await ParkAsync(waiter, () =>
                {
                    if (member.SyncWaiter == waiter)
                    {
                        member.SyncWaiter = null;
                    }
                });

            default:
                throw new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' is rebalancing; join again.");
        }
    }

    public Task HeartbeatAsync(int generationId, string memberId)
    {
        GroupId();
        if (!_members.TryGetValue(memberId, out var member))
        {
            throw UnknownMember(memberId);
        }

        if (generationId != _generation)
        {
            throw IllegalGeneration(generationId);
        }

        member.LastSeen = time.GetTimestamp();
        if (_state == GroupState.PreparingRebalance)
        {
            throw new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' is rebalancing; join again.");
        }

        return Task.CompletedTask;
    }

    public Task LeaveAsync(string memberId)
    {
        GroupId();
        if (_pendingMembers.Remove(memberId))
        {
            return Task.CompletedTask;
        }

        if (!_members.TryGetValue(memberId, out var member))
        {
            throw UnknownMember(memberId);
        }

        Remove(member, "left the group");
        OnMembersRemoved();
        return Task.CompletedTask;
    }

    private bool SupportsProtocols(JoinGroupRequest request)
    {
        var others = _members.Values.Where(m => m.Id != request.MemberId).ToList();
        return others.Count == 0 ||
            (request.ProtocolType == _protocolType && request.Protocols.Any(p => others.All(o => o.Supports(p.Name))));
    }

    /// <summary>Starts a rebalance: every member must rejoin; parked syncs are told so.</summary>
    private void PrepareRebalance(string reason)
    {
        var wasEmpty = _state == GroupState.Empty;
        foreach (var m in _members.Values)
        {
            m.Joined = false;
            m.Synced = false;
            m.Assignment = ReadOnlyMemory<byte>.Empty;
            var parked = m.SyncWaiter;
            m.SyncWaiter = null;
            parked?.TrySetException(new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' is rebalancing ({reason}); join again."));
        }

        var timeout = _members.Count == 0 ? TimeSpan.Zero : _members.Values.Max(m => m.RebalanceTimeout);
        _state = GroupState.PreparingRebalance;
        _rebalanceDeadline = After(timeout);
        _joinNotBefore = wasEmpty ? After(timeout < InitialRebalanceDelay ? timeout : InitialRebalanceDelay) : time.GetTimestamp();
        logger.LogInformation("Group {Group} is rebalancing after generation {Generation}: {Reason}", GroupId(), _generation, reason);
    }

    /// <summary>Starts the next generation once everyone has rejoined, or the rebalance timeout has passed.</summary>
    private void TryCompleteJoin()
    {
        if (_state != GroupState.PreparingRebalance)
        {
            return;
        }

        var now = time.GetTimestamp();
        // As in Kafka, a member id handed out with MEMBER_ID_REQUIRED counts as a member still to join
        // (until it lapses after its session timeout), so that clients starting together share a generation.
        var everyoneJoined = _members.Values.All(m => m.Joined) && _pendingMembers.Count == 0 && now >= _joinNotBefore;
        if (!everyoneJoined && now < _rebalanceDeadline)
        {
            return;
        }

        foreach (var late in _members.Values.Where(m => !m.Joined).ToList())
        {
            Remove(late, "did not rejoin within the rebalance timeout");
        }

        _generation++;
        state.State.Generation = _generation;
        if (_members.Count == 0)
        {
            _state = GroupState.Empty;
            _protocol = null;
            _leader = null;
            logger.LogInformation("Group {Group} is empty at generation {Generation}", GroupId(), _generation);
            OnEmptyChanged(empty: true);
            return;
        }

        _protocol = SelectProtocol();
        if (_leader is null || !_members.ContainsKey(_leader))
        {
            _leader = _members.GetAt(0).Key;
        }

        _state = GroupState.CompletingRebalance;
        _syncDeadline = After(_members.Values.Max(m => m.RebalanceTimeout));
        if (_protocolType == NativeProtocolType)
        {
            AssignOnServer();
        }

        logger.LogInformation("Group {Group} generation {Generation}: {Members} members, protocol {Protocol}, leader {Leader}",
            GroupId(), _generation, _members.Count, _protocol, _leader);

        var all = MembersForLeader();
        var answers = new List<(TaskCompletionSource<JoinGroupResult> Waiter, JoinGroupResult Result)>();
        foreach (var m in _members.Values)
        {
            m.LastSeen = now;
            if (m.JoinWaiter is { } parked)
            {
                answers.Add((parked, JoinResultFor(m, all)));
            }

            m.JoinWaiter = null;
        }

        // Nobody hears of the generation before it is persisted: a restarted grain never hands it out again.
        _ = AnnounceAsync(answers);
    }

    private async Task AnnounceAsync(List<(TaskCompletionSource<JoinGroupResult> Waiter, JoinGroupResult Result)> answers)
    {
        try
        {
            await PersistAsync();
        }
        catch (Exception e)
        {
            foreach (var (waiter, _) in answers)
            {
                waiter.TrySetException(new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' could not store its new generation ({e.Message}); join again."));
            }

            return;
        }

        foreach (var (waiter, result) in answers)
        {
            waiter.TrySetResult(result);
        }
    }

    /// <summary>
    /// Kafka's choice: among the protocols every member supports, the one most members list first
    /// (of those candidates); ties go to the earlier one in the first member's list.
    /// </summary>
    private string SelectProtocol()
    {
        var members = _members.Values.ToList();
        var candidates = members[0].Protocols.Select(p => p.Name).Where(name => members.All(m => m.Supports(name))).ToList();
        if (candidates.Count == 0)
        {
            // Cannot happen: every join is checked against the other members' protocols.
            return members[0].Protocols[0].Name;
        }

        var votes = members
            .Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .CountBy(name => name)
            .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return candidates.MaxBy(name => votes.GetValueOrDefault(name))!;
    }

    private ImmutableArray<JoinGroupMember> MembersForLeader() =>
        [.. _members.Values.Select(m => new JoinGroupMember(m.Id, m.MetadataFor(_protocol!)))];

    private JoinGroupResult JoinResultFor(GroupMember member, ImmutableArray<JoinGroupMember> all) =>
        new(OrkaErrorCode.None, _generation, _protocolType!, _protocol!, _leader!, member.Id, member.Id == _leader ? all : []);

    private SyncGroupResult SyncResultFor(GroupMember member) => new(_protocolType!, _protocol!, member.Assignment);

    /// <summary>Removes a member; its parked calls learn it is no longer in the group.</summary>
    private void Remove(GroupMember member, string reason)
    {
        _members.Remove(member.Id);
        var error = new OrkaException(OrkaErrorCode.UnknownMemberId, $"Member {member.Id} was removed from group '{GroupId()}': {reason}.");
        member.JoinWaiter?.TrySetException(error);
        member.SyncWaiter?.TrySetException(error);
        member.JoinWaiter = null;
        member.SyncWaiter = null;
        logger.LogInformation("Group {Group} removed member {Member}: {Reason}", GroupId(), member.Id, reason);
    }

    /// <summary>After members have gone: a settled group rebalances, a rebalancing one may now be complete.</summary>
    private void OnMembersRemoved()
    {
        if (_state is GroupState.Stable or GroupState.CompletingRebalance)
        {
            PrepareRebalance("members left");
        }

        TryCompleteJoin();
    }

    private void EnsureTimer() =>
        _timer ??= this.RegisterGrainTimer(CheckDeadlines, new GrainTimerCreationOptions(TickPeriod, TickPeriod));

    /// <summary>The timer: expires sessions, pending member ids and the rebalance and sync deadlines.</summary>
    private Task CheckDeadlines(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        foreach (var (id, expiry) in _pendingMembers.Where(p => now >= p.Value).ToList())
        {
            _pendingMembers.Remove(id);
        }

        var expired = _members.Values.Where(m => !m.IsWaiting && time.GetElapsedTime(m.LastSeen, now) > m.SessionTimeout).ToList();
        foreach (var member in expired)
        {
            Remove(member, $"no heartbeat within its session timeout of {member.SessionTimeout}");
        }

        if (expired.Count > 0)
        {
            OnMembersRemoved();
        }

        if (_state == GroupState.CompletingRebalance && now >= _syncDeadline)
        {
            // Kafka's pending-sync timeout: members that never asked for their assignment are gone.
            foreach (var member in _members.Values.Where(m => !m.Synced).ToList())
            {
                Remove(member, "did not sync within the rebalance timeout");
            }

            PrepareRebalance("members did not sync in time");
        }

        TryCompleteJoin();
        if (_state == GroupState.Empty && _pendingMembers.Count == 0)
        {
            _timer?.Dispose();
            _timer = null;
        }

        return Task.CompletedTask;
    }

    private async Task<T> ParkAsync<T>(TaskCompletionSource<T> waiter, Action unpark)
    {
        try
        {
            return await waiter.Task.WaitAsync(MaxWait, time);
        }
        catch (TimeoutException)
        {
            if (waiter.Task.IsCompleted)
            {
                // Answered in the same instant the wait ran out.
                return await waiter.Task;
            }

            // The member keeps its place in the rebalance; the caller sends the same request again.
            unpark();
            throw new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{GroupId()}' is still rebalancing after {MaxWait}; send the request again.");
        }
    }

    private long After(TimeSpan span) => time.GetTimestamp() + (long)(span.TotalSeconds * time.TimestampFrequency);
}
