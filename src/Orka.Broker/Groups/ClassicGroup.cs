using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Orka.Broker.Groups;

/// <summary>
/// Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, session expiry) as
/// a plain state machine: fed requests and <see cref="Tick"/>, reading time from the injected
/// <see cref="TimeProvider"/>, answering each request now or parking it under a ticket, and saying
/// through <see cref="GroupChanges"/> which parked calls to answer and what to persist.
/// </summary>
/// <remarks>
/// <para>States (Kafka's): <c>Empty</c> → a join starts <c>PreparingRebalance</c>, which waits until
/// every known member has rejoined (and every member id handed out with MEMBER_ID_REQUIRED has been
/// used or has lapsed after its session timeout), or until the largest rebalance timeout passes,
/// when the members that did not rejoin are dropped → <c>CompletingRebalance</c>: a new generation
/// with a leader (the old one if still there, else the first to have joined) and the protocol most
/// members prefer among those all support, waiting for the leader's SyncGroup → <c>Stable</c>. A
/// native group (<see cref="NativeProtocolType"/>) is assigned by <see cref="ServerAssignment"/> and
/// goes straight to <c>Stable</c>. A join with new metadata (or from the leader), a leave, an expired
/// session or a missed sync deadline sends a non-empty group back to <c>PreparingRebalance</c>, and
/// parked syncs fail with REBALANCE_IN_PROGRESS; when the last member goes the next generation is
/// an empty one and the group is <c>Empty</c> again. A follower rejoining unchanged gets the
/// current generation again.</para>
/// <para>Timers, all checked by <see cref="Tick"/> (the host calls it often while
/// <see cref="IsIdle"/> is false): a member silent for longer than its session timeout is removed,
/// unless it has a parked call; the first rebalance of an empty group completes no earlier than
/// <see cref="InitialRebalanceDelay"/> (capped by the rebalance timeout; Kafka's
/// <c>group.initial.rebalance.delay.ms</c>) so that members starting together share a generation;
/// <c>PreparingRebalance</c> ends at the largest rebalance timeout; in <c>CompletingRebalance</c>
/// members that have not synced within the largest rebalance timeout are removed and the group
/// rebalances.</para>
/// <para>Errors are <see cref="OrkaException"/>s with Kafka's codes: UNKNOWN_MEMBER_ID, then
/// ILLEGAL_GENERATION, then REBALANCE_IN_PROGRESS (heartbeat or sync while preparing a rebalance).
/// Not thread-safe: the host feeds it one event at a time. Membership is in memory only; the host
/// persists <see cref="Generation"/> when told.</para>
/// </remarks>
internal sealed class ClassicGroup(string groupId, TimeProvider time, ILogger logger, int lastGeneration = 0)
{
    /// <summary>The protocol type of Kafka consumers, whose assignments are consumer-protocol bytes.</summary>
    public const string ConsumerProtocolType = "consumer";

    /// <summary>The protocol type of Orka's native consumer: the group computes the assignment itself.</summary>
    public const string NativeProtocolType = "orka";

    /// <summary>How long the first rebalance of an empty group waits for more members (Kafka: 3 s).</summary>
    public static readonly TimeSpan InitialRebalanceDelay = TimeSpan.FromSeconds(3);

    private readonly GroupMembership _members = new();

    // Partition count of every topic a native member subscribes to (0 for a topic that does not exist yet).
    private readonly Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);

    private GroupState _state = GroupState.Empty;
    private int _generation = lastGeneration;
    private string? _protocolType;
    private string? _protocol;
    private string? _leader;
    private long _lastTicket;

    // PreparingRebalance: complete when everyone has joined but not before _joinNotBefore, and at
    // _rebalanceDeadline at the latest. CompletingRebalance: members that have not synced by
    // _syncDeadline are dropped.
    private long _joinNotBefore;
    private long _rebalanceDeadline;
    private long _syncDeadline;

    public GroupState State => _state;

    /// <summary>The current generation (the last handed out, counting on from the one the group was created with).</summary>
    public int Generation => _generation;

    public string? ProtocolType => _protocolType;

    public string? Protocol => _protocol;

    public string? Leader => _leader;

    public IReadOnlyList<GroupMember> Members => _members.Members;

    public bool HasPendingMembers => _members.HasPending;

    /// <summary>Nothing for <see cref="Tick"/> to watch: no members, no pending member ids.</summary>
    public bool IsIdle => _state == GroupState.Empty && !_members.HasPending;

    /// <summary>A member id in the group or handed out and not yet used or lapsed.</summary>
    public bool Knows(string memberId) => _members.Knows(memberId);

    /// <summary>Records a topic's partition count for the next server-side assignment.</summary>
    public void SetPartitionCount(string topic, int count) => _partitionCounts[topic] = count;

    /// <summary>JoinGroup (v4+): MEMBER_ID_REQUIRED with an id for a first join, else the member's generation once the join phase completes.</summary>
    public GroupReply<JoinGroupResult> Join(JoinGroupRequest request)
    {
        JoinRequestValidator.Validate(request);
        if (!_members.Fits(request, _protocolType))
        {
            throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol,
                $"Group '{groupId}' runs protocol type '{_protocolType}' with protocols its members share; [{string.Join(", ", request.Protocols.Select(p => p.Name))}] of '{request.ProtocolType}' does not fit.");
        }

        var changes = new GroupChanges();
        if (request.MemberId.Length == 0)
        {
            // Hand out an id and have the client join again with it, so that a retried first join
            // cannot leave a ghost member behind.
            var id = _members.HandOutId(request.ClientId, After(request.SessionTimeout));
            return new(new JoinGroupResult(OrkaErrorCode.MemberIdRequired, -1, "", "", "", id, []), null, changes);
        }

        var isNew = false;
        if (!_members.TryGet(request.MemberId, out var member))
        {
            member = _members.Admit(request.MemberId) ?? throw UnknownMember(request.MemberId);
            isNew = true;
            if (_members.Count == 1)
            {
                changes.EmptyChanged(empty: false);
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

        if (unchanged && (_state == GroupState.CompletingRebalance || (_state == GroupState.Stable && member.Id != _leader)))
        {
            return new(JoinResultFor(member, _members.ForLeader(_protocol!)), null, changes);
        }

        if (_state != GroupState.PreparingRebalance)
        {
            PrepareRebalance(isNew ? $"member {member.Id} joined" : $"member {member.Id} rejoined", changes);
        }

        member.Joined = true;
        if (member.JoinTicket is { } replaced)
        {
            changes.Fail(replaced, new OrkaException(OrkaErrorCode.RebalanceInProgress, "A newer join from the same member replaced this one."));
        }

        var ticket = ++_lastTicket;
        member.JoinTicket = ticket;
        TryCompleteJoin(changes);
        return new(null, ticket, changes);
    }

    /// <summary>SyncGroup: the leader's call carries everyone's assignment; a follower's waits for it.</summary>
    public GroupReply<SyncGroupResult> Sync(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var member = Touch(request.GenerationId, request.MemberId);
        var changes = new GroupChanges();
        switch (_state)
        {
            case GroupState.Stable:
                return new(SyncResultFor(member), null, changes);

            case GroupState.CompletingRebalance when member.Id == _leader:
                member.Synced = true;
                _state = GroupState.Stable;
                logger.LogInformation("Group {Group} generation {Generation} is stable with {Members} members", groupId, _generation, _members.Count);
                _members.Distribute(request.Assignments.IsDefault ? [] : request.Assignments, time.GetTimestamp(), SyncResultFor, changes);
                return new(SyncResultFor(member), null, changes);

            case GroupState.CompletingRebalance:
                member.Synced = true;
                if (member.SyncTicket is { } replaced)
                {
                    changes.Fail(replaced, new OrkaException(OrkaErrorCode.RebalanceInProgress, "A newer sync from the same member replaced this one."));
                }

                member.SyncTicket = ++_lastTicket;
                return new(null, member.SyncTicket, changes);

            default:
                throw Rebalancing();
        }
    }

    /// <summary>Heartbeat: keeps the session; REBALANCE_IN_PROGRESS while the group prepares a rebalance.</summary>
    public void Heartbeat(int generationId, string memberId)
    {
        Touch(generationId, memberId);
        if (_state == GroupState.PreparingRebalance)
        {
            throw Rebalancing();
        }
    }

    /// <summary>LeaveGroup for one member (or a pending member id): the rest rebalance without it.</summary>
    public GroupChanges Leave(string memberId)
    {
        var changes = new GroupChanges();
        if (_members.Forget(memberId))
        {
            return changes;
        }

        if (!_members.TryGet(memberId, out var member))
        {
            throw UnknownMember(memberId);
        }

        Remove(member, "left the group", changes);
        OnMembersRemoved(changes);
        return changes;
    }

    /// <summary>
    /// Kafka's checks of an offset commit (GroupCoordinator.handleCommitOffsets): a generation-less
    /// commit is a "simple consumer" and only allowed while nobody is in the group; else the group
    /// must not wait for its assignment, and member and generation must be current.
    /// </summary>
    public void AcceptCommit(int generationId, string memberId)
    {
        if (generationId < 0 && _state == GroupState.Empty)
        {
            return;
        }

        if (_state == GroupState.CompletingRebalance)
        {
            throw new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{groupId}' is waiting for its assignment; commit after it.");
        }

        Touch(generationId, memberId);
    }

    /// <summary>A parked call gave up waiting: the member keeps its place but is no longer waiting.</summary>
    public void Unpark(string memberId, long ticket)
    {
        if (_members.TryGet(memberId, out var member))
        {
            member.JoinTicket = member.JoinTicket == ticket ? null : member.JoinTicket;
            member.SyncTicket = member.SyncTicket == ticket ? null : member.SyncTicket;
        }
    }

    /// <summary>The timers: expires pending member ids, sessions, and the rebalance and sync deadlines.</summary>
    public GroupChanges Tick()
    {
        var changes = new GroupChanges();
        var now = time.GetTimestamp();
        _members.LapsePending(now);
        var expired = _members.Members.Where(m => !m.IsWaiting && time.GetElapsedTime(m.LastSeen, now) > m.SessionTimeout).ToList();
        foreach (var member in expired)
        {
            Remove(member, $"no heartbeat within its session timeout of {member.SessionTimeout}", changes);
        }

        if (expired.Count > 0)
        {
            OnMembersRemoved(changes);
        }

        if (_state == GroupState.CompletingRebalance && now >= _syncDeadline)
        {
            // Kafka's pending-sync timeout: members that never asked for their assignment are gone.
            foreach (var member in _members.Members.Where(m => !m.Synced).ToList())
            {
                Remove(member, "did not sync within the rebalance timeout", changes);
            }

            PrepareRebalance("members did not sync in time", changes);
        }

        TryCompleteJoin(changes);
        return changes;
    }

    /// <summary>DescribeGroups; an unknown group (<paramref name="exists"/> false) is Dead with no members, as in Kafka.</summary>
    public GroupDescription Describe(bool exists)
    {
        // As Kafka: the protocol and member metadata are shown only once a generation has chosen them.
        var protocol = _state is GroupState.CompletingRebalance or GroupState.Stable ? _protocol ?? "" : "";
        var members = _members.Members
            .Select(m => new GroupMemberDescription(m.Id, m.ClientId, protocol.Length == 0 ? ReadOnlyMemory<byte>.Empty : m.MetadataFor(protocol), m.Assignment))
            .ToImmutableArray();
        return new GroupDescription(groupId, exists ? _state : GroupState.Dead, _protocolType ?? "", protocol, _generation, _leader ?? "", members);
    }

    /// <summary>Which member owns each partition in the current generation, read from consumer-protocol assignments.</summary>
    public Dictionary<TopicPartition, string> CurrentOwners() =>
        _state == GroupState.Stable && (_protocolType is ConsumerProtocolType or NativeProtocolType) ? _members.Owners() : [];

    /// <summary>The member, heard from now; UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION if it may not speak.</summary>
    private GroupMember Touch(int generationId, string memberId)
    {
        if (!_members.TryGet(memberId, out var member))
        {
            throw UnknownMember(memberId);
        }

        if (generationId != _generation)
        {
            throw new OrkaException(OrkaErrorCode.IllegalGeneration, $"Generation {generationId} is not group '{groupId}''s current generation {_generation}.");
        }

        member.LastSeen = time.GetTimestamp();
        return member;
    }

    /// <summary>Starts a rebalance: every member must rejoin; parked syncs are told so.</summary>
    private void PrepareRebalance(string reason, GroupChanges changes)
    {
        var wasEmpty = _state == GroupState.Empty;
        _members.ResetForRebalance(
            () => new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{groupId}' is rebalancing ({reason}); join again."), changes);
        var timeout = _members.MaxRebalanceTimeout();
        _state = GroupState.PreparingRebalance;
        _rebalanceDeadline = After(timeout);
        _joinNotBefore = wasEmpty ? After(timeout < InitialRebalanceDelay ? timeout : InitialRebalanceDelay) : time.GetTimestamp();
        logger.LogInformation("Group {Group} is rebalancing after generation {Generation}: {Reason}", groupId, _generation, reason);
    }

    /// <summary>Starts the next generation once everyone has rejoined, or the rebalance timeout has passed.</summary>
    private void TryCompleteJoin(GroupChanges changes)
    {
        if (_state != GroupState.PreparingRebalance)
        {
            return;
        }

        var now = time.GetTimestamp();
        // As in Kafka, a member id handed out with MEMBER_ID_REQUIRED counts as a member still to join.
        var everyoneJoined = _members.Members.All(m => m.Joined) && !_members.HasPending && now >= _joinNotBefore;
        if (!everyoneJoined && now < _rebalanceDeadline)
        {
            return;
        }

        foreach (var late in _members.Members.Where(m => !m.Joined).ToList())
        {
            Remove(late, "did not rejoin within the rebalance timeout", changes);
        }

        _generation++;
        changes.StartedGeneration(_generation);
        if (_members.Count == 0)
        {
            _state = GroupState.Empty;
            _protocol = null;
            _leader = null;
            logger.LogInformation("Group {Group} is empty at generation {Generation}", groupId, _generation);
            changes.EmptyChanged(empty: true);
            return;
        }

        _protocol = _members.SelectProtocol();
        if (_leader is null || !_members.Contains(_leader))
        {
            _leader = _members.First.Id;
        }

        _state = GroupState.CompletingRebalance;
        _syncDeadline = After(_members.MaxRebalanceTimeout());
        if (_protocolType == NativeProtocolType)
        {
            var assignment = ServerAssignment.Assign(_protocol, _members.Members, _partitionCounts);
            foreach (var m in _members.Members)
            {
                m.Assignment = assignment[m.Id];
                m.Synced = true;
            }

            _state = GroupState.Stable;
        }

        logger.LogInformation("Group {Group} generation {Generation}: {Members} members, protocol {Protocol}, leader {Leader}",
            groupId, _generation, _members.Count, _protocol, _leader);

        var all = _members.ForLeader(_protocol);
        foreach (var m in _members.Members)
        {
            m.LastSeen = now;
            if (m.JoinTicket is { } parked)
            {
                changes.Answer(parked, JoinResultFor(m, all));
            }

            m.JoinTicket = null;
        }
    }

    private JoinGroupResult JoinResultFor(GroupMember member, ImmutableArray<JoinGroupMember> all) =>
        new(OrkaErrorCode.None, _generation, _protocolType!, _protocol!, _leader!, member.Id, member.Id == _leader ? all : []);

    private SyncGroupResult SyncResultFor(GroupMember member) => new(_protocolType!, _protocol!, member.Assignment);

    /// <summary>Removes a member; its parked calls learn it is no longer in the group.</summary>
    private void Remove(GroupMember member, string reason, GroupChanges changes)
    {
        _members.Remove(member, new OrkaException(OrkaErrorCode.UnknownMemberId, $"Member {member.Id} was removed from group '{groupId}': {reason}."), changes);
        logger.LogInformation("Group {Group} removed member {Member}: {Reason}", groupId, member.Id, reason);
    }

    /// <summary>After members have gone: a settled group rebalances, a rebalancing one may now be complete.</summary>
    private void OnMembersRemoved(GroupChanges changes)
    {
        if (_state is GroupState.Stable or GroupState.CompletingRebalance)
        {
            PrepareRebalance("members left", changes);
        }

        TryCompleteJoin(changes);
    }

    private OrkaException UnknownMember(string memberId) =>
        new(OrkaErrorCode.UnknownMemberId, $"'{memberId}' is not a member of group '{groupId}'; join again.");

    private OrkaException Rebalancing() =>
        new(OrkaErrorCode.RebalanceInProgress, $"Group '{groupId}' is rebalancing; join again.");

    private long After(TimeSpan span) => time.GetTimestamp() + (long)(span.TotalSeconds * time.TimestampFrequency);
}
