using System.Collections.Immutable;

namespace Orka.Broker.Groups;

/// <summary>
/// Who is in a <see cref="ClassicGroup"/>: its members in join order (the first becomes leader
/// when there is none), the member ids handed out with MEMBER_ID_REQUIRED and not yet used (each
/// lapses after the session timeout it was asked with), and the protocol rules over them: whether a
/// join fits the protocols the others share, and which protocol a generation runs.
/// </summary>
/// <remarks>Plain data, mutated by its group only, one event at a time.</remarks>
internal sealed class GroupMembership
{
    private readonly OrderedDictionary<string, GroupMember> _members = new(StringComparer.Ordinal);

    // Member ids handed out with MEMBER_ID_REQUIRED, not yet used to join, with when they lapse (timestamps).
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);

    public IReadOnlyList<GroupMember> Members => _members.Values;

    public int Count => _members.Count;

    public bool HasPending => _pending.Count > 0;

    public GroupMember First => _members.GetAt(0).Value;

    /// <summary>A member id in the group or handed out and not yet used or lapsed.</summary>
    public bool Knows(string memberId) => _members.ContainsKey(memberId) || _pending.ContainsKey(memberId);

    public bool Contains(string memberId) => _members.ContainsKey(memberId);

    public bool TryGet(string memberId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out GroupMember member) =>
        _members.TryGetValue(memberId, out member);

    /// <summary>A new member id for a first join, counted as a member still to join until <paramref name="lapsesAt"/>.</summary>
    public string HandOutId(string clientId, long lapsesAt)
    {
        var id = $"{clientId}-{Guid.NewGuid():N}";
        _pending[id] = lapsesAt;
        return id;
    }

    /// <summary>Adds the member a pending id was handed out for; null when the id is not pending.</summary>
    public GroupMember? Admit(string memberId)
    {
        if (!_pending.Remove(memberId))
        {
            return null;
        }

        var member = new GroupMember(memberId);
        _members.Add(member.Id, member);
        return member;
    }

    public bool Forget(string pendingId) => _pending.Remove(pendingId);

    /// <summary>Removes a member; its parked calls fail with <paramref name="error"/>.</summary>
    public void Remove(GroupMember member, OrkaException error, GroupChanges changes)
    {
        _members.Remove(member.Id);
        foreach (var ticket in new[] { member.JoinTicket, member.SyncTicket }.OfType<long>())
        {
            changes.Fail(ticket, error);
        }

        member.JoinTicket = null;
        member.SyncTicket = null;
    }

    /// <summary>A rebalance starts: nobody has rejoined or synced, assignments are void, parked syncs fail.</summary>
    public void ResetForRebalance(Func<OrkaException> error, GroupChanges changes)
    {
        foreach (var m in _members.Values)
        {
            m.Joined = false;
            m.Synced = false;
            m.Assignment = ReadOnlyMemory<byte>.Empty;
            if (m.SyncTicket is { } parked)
            {
                changes.Fail(parked, error());
            }

            m.SyncTicket = null;
        }
    }

    /// <summary>
    /// The leader's SyncGroup: every member gets its assignment (an empty one if the leader left it
    /// out, as in Kafka), counts as heard from at <paramref name="now"/>, and a parked sync is answered.
    /// </summary>
    public void Distribute(IEnumerable<GroupAssignment> assignments, long now, Func<GroupMember, SyncGroupResult> resultFor, GroupChanges changes)
    {
        var byMember = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            byMember[assignment.MemberId] = assignment.Assignment;
        }

        foreach (var m in _members.Values)
        {
            m.Assignment = byMember.GetValueOrDefault(m.Id);
            m.LastSeen = now;
            if (m.SyncTicket is { } parked)
            {
                changes.Answer(parked, resultFor(m));
            }

            m.SyncTicket = null;
        }
    }

    /// <summary>Drops the pending ids that have lapsed by <paramref name="now"/>.</summary>
    public void LapsePending(long now)
    {
        foreach (var (id, _) in _pending.Where(p => now >= p.Value).ToList())
        {
            _pending.Remove(id);
        }
    }

    /// <summary>The largest rebalance timeout of the members (zero when there are none): how long a rebalance may take.</summary>
    public TimeSpan MaxRebalanceTimeout() => _members.Count == 0 ? TimeSpan.Zero : _members.Values.Max(m => m.RebalanceTimeout);

    /// <summary>Whether a join of <paramref name="request"/>'s member fits the group of the others: same type, one protocol they all support.</summary>
    public bool Fits(JoinGroupRequest request, string? protocolType)
    {
        var others = _members.Values.Where(m => m.Id != request.MemberId).ToList();
        return others.Count == 0 ||
            (request.ProtocolType == protocolType && request.Protocols.Any(p => others.All(o => o.Supports(p.Name))));
    }

    /// <summary>
    /// Kafka's choice: among the protocols every member supports, the one most members list first
    /// (of those candidates); ties go to the earlier one in the first member's list.
    /// </summary>
    public string SelectProtocol()
    {
        var members = Members;
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

    /// <summary>Every member with its metadata for <paramref name="protocol"/>, as the leader's JoinGroup answer lists them.</summary>
    public ImmutableArray<JoinGroupMember> ForLeader(string protocol) =>
        [.. _members.Values.Select(m => new JoinGroupMember(m.Id, m.MetadataFor(protocol)))];

    /// <summary>Which member owns each partition, read from the members' consumer-protocol assignments.</summary>
    public Dictionary<TopicPartition, string> Owners()
    {
        var owners = new Dictionary<TopicPartition, string>();
        foreach (var member in _members.Values)
        {
            if (ConsumerProtocolCodec.TryDecodeAssignment(member.Assignment.Span, out var partitions))
            {
                foreach (var tp in partitions)
                {
                    owners[tp] = member.Id;
                }
            }
        }

        return owners;
    }
}
