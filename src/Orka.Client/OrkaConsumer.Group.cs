using System.Collections.Immutable;

namespace Orka.Client;

// Group membership: join, sync, heartbeat, rebalances, commits.
public sealed partial class OrkaConsumer
{
    /// <summary>The protocol type of native members: the group assigns partitions on the broker.</summary>
    internal const string ProtocolType = "orka";

    // Shared with the heartbeat loop, under _sync.
    private readonly Lock _sync = new();
    private string _memberId = "";
    private int _generation = -1;
    private bool _rejoinNeeded = true;
    private bool _fenced;
    private bool _heartbeatFrozen;

    private CancellationTokenSource? _heartbeatStop;
    private Task? _heartbeat;

    // What auto-commit last committed per partition, so unchanged offsets are not written again.
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];

    /// <summary>This consumer's member id in its group; empty when it is not a member.</summary>
    public string MemberId
    {
        get
        {
            lock (_sync)
            {
                return _generation >= 0 ? _memberId : "";
            }
        }
    }

    /// <summary>The group generation this consumer's assignment belongs to; -1 when it is not a member.</summary>
    public int GenerationId
    {
        get
        {
            lock (_sync)
            {
                return _generation;
            }
        }
    }

    /// <summary>
    /// Commits the current positions (every record delivered so far counts as processed). In a group
    /// the commit carries this member's generation: during or after a rebalance it fails with
    /// REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID and the records after the last
    /// commit are delivered again, to whoever owns the partition next. Does nothing without a group id.
    /// </summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        CommitAsync(_positions.Where(p => _assignment.Contains(p.Key)).Select(p => new CommittedOffset(p.Key, p.Value)), cancellationToken);

    /// <summary>Commits the given offsets (the next offset to read, per partition), with optional metadata each.</summary>
    public async Task CommitAsync(IEnumerable<CommittedOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var list = offsets.ToImmutableArray();
        if (_options.GroupId is null || list.IsEmpty)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_subscription.IsEmpty)
        {
            await Group().CommitAsync(list);
        }
        else
        {
            int generation;
            string memberId;
            lock (_sync)
            {
                (generation, memberId) = (_generation, _memberId);
            }

            if (generation < 0)
            {
                throw new OrkaException(OrkaErrorCode.RebalanceInProgress, "The consumer is not in a generation of its group yet; nothing was committed.");
            }

            await Group().CommitAsync(generation, memberId, list);
        }

        foreach (var offset in list)
        {
            _lastCommitted[offset.Partition] = offset.Offset;
        }
    }

    /// <summary>Test hook: the member stops heartbeating (as a hung process would) until disposed.</summary>
    internal void FreezeHeartbeat()
    {
        lock (_sync)
        {
            _heartbeatFrozen = true;
        }
    }

    /// <summary>Commits what the application has moved past; a failure (e.g. fenced) is left to the rebalance that follows.</summary>
    private async Task AutoCommitAsync()
    {
        _lastAutoCommit = _time.GetTimestamp();
        // The record handed out last is not processed until the application asks for the next one,
        // so its own offset is committed, not the position past it; but when the application
        // committed past it itself (CommitAsync after its last record), that commit stands.
        var offsets = _positions
            .Where(p => _assignment.Contains(p.Key))
            .Select(p => (Offset: new CommittedOffset(p.Key, _inFlight is { } f && f.Partition == p.Key ? f.Offset : p.Value), InFlight: _inFlight?.Partition == p.Key))
            .Where(o => _lastCommitted.GetValueOrDefault(o.Offset.Partition, -1) is var last
                && last != o.Offset.Offset
                && !(o.InFlight && o.Offset.Offset < last))
            .Select(o => o.Offset)
            .ToList();
        try
        {
            await CommitAsync(offsets);
        }
        catch (OrkaException e) when (e.Code is OrkaErrorCode.RebalanceInProgress or OrkaErrorCode.IllegalGeneration or OrkaErrorCode.UnknownMemberId)
        {
            // The group moved on; the records will be delivered again from the last commit.
        }
    }

    // Partition counts of the subscribed topics when this member last joined, and when they were last checked.
    private Dictionary<string, int> _knownPartitionCounts = new(StringComparer.Ordinal);
    private long _lastMetadataCheck;

    /// <summary>Every <see cref="ConsumerOptions.MetadataMaxAge"/>: a subscribed topic that grew means a rejoin.</summary>
    private async Task CheckMetadataAsync()
    {
        if (_time.GetElapsedTime(_lastMetadataCheck) < _options.MetadataMaxAge)
        {
            return;
        }

        _lastMetadataCheck = _time.GetTimestamp();
        var counts = await PartitionCountsAsync();
        if (!counts.OrderBy(c => c.Key, StringComparer.Ordinal).SequenceEqual(_knownPartitionCounts.OrderBy(c => c.Key, StringComparer.Ordinal)))
        {
            RequestRejoin(fenced: false);
        }
    }

    private async Task<Dictionary<string, int>> PartitionCountsAsync()
    {
        var metadata = await Task.WhenAll(_subscription.Select(t => _client.GetGrain<ITopicGrain>(t).GetMetadataAsync()));
        return _subscription.Select((t, i) => (t, metadata[i]?.PartitionCount ?? 0)).ToDictionary(x => x.t, x => x.Item2, StringComparer.Ordinal);
    }

    /// <summary>Marks the membership for a rejoin; the read loop does it at its next turn.</summary>
    private void RequestRejoin(bool fenced)
    {
        lock (_sync)
        {
            _rejoinNeeded = true;
            _fenced |= fenced;
            if (fenced)
            {
                _generation = -1;
            }
        }

        Wake();
    }

    /// <summary>When a rebalance is due: revoke (committing first) or lose the assignment, rejoin, sync, take the new one.</summary>
    private async Task EnsureGroupMembershipAsync(CancellationToken cancellationToken)
    {
        bool fenced;
        lock (_sync)
        {
            if (!_rejoinNeeded)
            {
                return;
            }

            fenced = _fenced;
        }

        _inFlight = null;
        var held = _assignment.ToImmutableArray();
        if (held.Length > 0)
        {
            if (fenced)
            {
                SetAssignment([]);
                if (PartitionsLost is { } lost)
                {
                    await lost(held);
                }
            }
            else
            {
                if (_options.EnableAutoCommit)
                {
                    await AutoCommitAsync();
                }

                if (PartitionsRevoked is { } revoked)
                {
                    await revoked(held);
                }

                SetAssignment([]);
            }
        }

        // A sticky assignor keeps what this member held, unless it was fenced (the partitions may be elsewhere now).
        // The counts the group will assign from (it reads them at the join): later growth means a rejoin.
        _knownPartitionCounts = await PartitionCountsAsync();
        _lastMetadataCheck = _time.GetTimestamp();
        var (generation, assignment) = await JoinAndSyncAsync(fenced ? [] : held, cancellationToken);
        SetAssignment(assignment);
        StartHeartbeat();
        if (PartitionsAssigned is { } assigned)
        {
            await assigned(assignment);
        }
    }

    /// <summary>Join (twice for a new member: the group hands out the id), then sync; again on REBALANCE_IN_PROGRESS.</summary>
    private async Task<(int Generation, ImmutableArray<TopicPartition> Assignment)> JoinAndSyncAsync(ImmutableArray<TopicPartition> owned, CancellationToken cancellationToken)
    {
        int lastGeneration;
        lock (_sync)
        {
            lastGeneration = owned.IsEmpty ? -1 : _generation;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string memberId;
            lock (_sync)
            {
                _rejoinNeeded = false;
                _fenced = false;
                memberId = _memberId;
                _generation = -1;
            }

            var subscription = ConsumerProtocolCodec.EncodeSubscription(new ConsumerSubscription(_subscription, owned, lastGeneration));
            var request = new JoinGroupRequest(
                memberId,
                _options.ClientId,
                ProtocolType,
                [.. _options.PartitionAssignmentStrategy.Select(name => new GroupProtocol(name, subscription))],
                _options.SessionTimeout,
                _options.MaxPollInterval);
            try
            {
                var joined = await Group().JoinAsync(request).WaitAsync(cancellationToken);
                if (joined.ErrorCode == OrkaErrorCode.MemberIdRequired)
                {
                    lock (_sync)
                    {
                        _memberId = joined.MemberId;
                    }

                    continue;
                }

                var synced = await Group().SyncAsync(new SyncGroupRequest(joined.GenerationId, joined.MemberId, [])).WaitAsync(cancellationToken);
                if (!ConsumerProtocolCodec.TryDecodeAssignment(synced.Assignment.Span, out var assignment))
                {
                    throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol, $"Group '{_options.GroupId}' sent an assignment that is not consumer-protocol bytes.");
                }

                lock (_sync)
                {
                    if (_rejoinNeeded)
                    {
                        // The heartbeat already heard of the next rebalance: join again straight away.
                        continue;
                    }

                    _memberId = joined.MemberId;
                    _generation = joined.GenerationId;
                }

                return (joined.GenerationId, assignment);
            }
            catch (OrkaException e) when (e.Code is OrkaErrorCode.RebalanceInProgress or OrkaErrorCode.IllegalGeneration)
            {
                // Join again with the same member id.
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.UnknownMemberId)
            {
                lock (_sync)
                {
                    _memberId = "";
                }

                owned = [];
            }
        }
    }

    private void StartHeartbeat()
    {
        if (_heartbeat is not null)
        {
            return;
        }

        _heartbeatStop = new CancellationTokenSource();
        _heartbeat = HeartbeatLoopAsync(_heartbeatStop.Token);
    }

    /// <summary>Heartbeats the current generation; a rebalance or a fence is handed to the read loop.</summary>
    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatInterval, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            int generation;
            string memberId;
            lock (_sync)
            {
                // Beats go on while a rebalance waits for the read loop: they keep the session alive.
                if (_heartbeatFrozen || _generation < 0)
                {
                    continue;
                }

                (generation, memberId) = (_generation, _memberId);
            }

            try
            {
                await Group().HeartbeatAsync(generation, memberId);
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.RebalanceInProgress)
            {
                if (GenerationId == generation)
                {
                    RequestRejoin(fenced: false);
                }
            }
            catch (OrkaException e) when (e.Code is OrkaErrorCode.UnknownMemberId or OrkaErrorCode.IllegalGeneration)
            {
                if (GenerationId == generation)
                {
                    if (e.Code == OrkaErrorCode.UnknownMemberId)
                    {
                        lock (_sync)
                        {
                            _memberId = "";
                        }
                    }

                    RequestRejoin(fenced: true);
                }
            }
            catch (Exception)
            {
                // A transient failure (the cluster is unreachable for a moment): the next beat tries again;
                // if none gets through within the session timeout, the group fences this member. Or the
                // consumer is shutting down, and the loop ends at its next turn.
            }
        }
    }

    /// <summary>Stops heartbeating (no leave): for a switch to manual assignment.</summary>
    private void StopGroupMembership()
    {
        _heartbeatStop?.Cancel();
        _heartbeatStop = null;
        _heartbeat = null;
        lock (_sync)
        {
            _generation = -1;
            _rejoinNeeded = true;
        }
    }

    /// <summary>Auto-commits, stops the heartbeat and leaves the group, so its partitions move at once.</summary>
    private async Task LeaveGroupAsync()
    {
        if (_disposed)
        {
            return;
        }

        string memberId;
        bool frozen;
        lock (_sync)
        {
            // A frozen member plays a hung process: it neither commits nor leaves.
            frozen = _heartbeatFrozen;
            memberId = frozen ? "" : _memberId;
        }

        if (!frozen && !_subscription.IsEmpty && GenerationId >= 0 && _options.EnableAutoCommit)
        {
            await AutoCommitAsync();
        }

        var heartbeat = _heartbeat;
        StopGroupMembership();
        if (heartbeat is not null)
        {
            await heartbeat;
        }

        if (!_subscription.IsEmpty && memberId.Length > 0)
        {
            try
            {
                await Group().LeaveAsync(memberId);
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.UnknownMemberId)
            {
                // Already removed (session expired): nothing to leave.
            }
        }

        lock (_sync)
        {
            _memberId = "";
        }
    }
}
