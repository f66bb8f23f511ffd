using System.Collections.Immutable;

namespace Orka.Client.Consumer;

/// <summary>
/// The consumer's membership of its group, as Kafka's ConsumerCoordinator: joins and syncs (eager
/// rebalances: revoke or lose everything, rejoin, take the new assignment), heartbeats in the
/// background, notices subscribed topics that grew, commits offsets (with this member's generation
/// when subscribed) and auto-commits, and leaves the group.
/// </summary>
/// <remarks>
/// <para>Member id, generation and the rejoin flags are shared with the heartbeat loop and guarded by
/// a lock of their own; they are read and written only briefly under it, never across a call. The
/// rest is touched only by the consumer's reader. The heartbeat never rejoins itself: it marks a
/// rejoin (or a fence) and wakes the read loop, which rejoins inside <c>ConsumeAsync</c>, so an
/// application that stops asking for records for longer than MaxPollInterval is dropped from the group.</para>
/// <para>The revocation callbacks and the assignment itself belong to the <see cref="OrkaConsumer"/>,
/// which this calls back (<see cref="OrkaConsumer.SetAssignment"/>).</para>
/// </remarks>
internal sealed class ConsumerCoordinator(
    IClusterClient client, ConsumerOptions options, TimeProvider time, SubscriptionState subscriptions, Fetcher fetcher, OrkaConsumer consumer)
{
    /// <summary>The protocol type of native members: the group assigns partitions on the broker.</summary>
    internal const string ProtocolType = "orka";

    private readonly Lock _sync = new();
    private string _memberId = "";
    private int _generation = -1;
    private bool _rejoinNeeded = true;
    private bool _fenced;
    private bool _heartbeatFrozen;

    private CancellationTokenSource? _heartbeatStop;
    private Task? _heartbeat;

    private long _lastAutoCommit;

    // Partition counts of the subscribed topics when this member last joined, and when they were last checked.
    private Dictionary<string, int> _knownPartitionCounts = new(StringComparer.Ordinal);
    private long _lastMetadataCheck;

    /// <summary>This member's id in its group; empty when it is not a member.</summary>
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

    /// <summary>The group generation the assignment belongs to; -1 when not a member.</summary>
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

    /// <summary>True once <see cref="ConsumerOptions.AutoCommitInterval"/> has passed since the last auto-commit.</summary>
    public bool AutoCommitDue => time.GetElapsedTime(_lastAutoCommit) >= options.AutoCommitInterval;

    /// <summary>Completes when the next auto-commit is due (at once when it is).</summary>
    public Task DelayUntilAutoCommit()
    {
        var left = options.AutoCommitInterval - time.GetElapsedTime(_lastAutoCommit);
        return Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, CancellationToken.None);
    }

    /// <summary>Starts the auto-commit interval from now.</summary>
    public void ResetAutoCommitTimer() => _lastAutoCommit = time.GetTimestamp();

    /// <summary>The member stops heartbeating (as a hung process would) until disposed.</summary>
    public void FreezeHeartbeat()
    {
        lock (_sync)
        {
            _heartbeatFrozen = true;
        }
    }

    /// <summary>
    /// Commits <paramref name="offsets"/>: as a member of the current generation when subscribed
    /// (RebalanceInProgress when not in one), else as a simple consumer. Nothing without a group id.
    /// </summary>
    public async Task CommitAsync(ImmutableArray<CommittedOffset> offsets, CancellationToken cancellationToken)
    {
        if (options.GroupId is null || offsets.IsEmpty)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (subscriptions.Subscription.IsEmpty)
        {
            await Group().CommitAsync(offsets);
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

            await Group().CommitAsync(generation, memberId, offsets);
        }

        subscriptions.Committed(offsets);
    }

    /// <summary>Commits what the application has moved past; a failure (e.g. fenced) is left to the rebalance that follows.</summary>
    public async Task AutoCommitAsync()
    {
        ResetAutoCommitTimer();
        try
        {
            await CommitAsync([.. subscriptions.OffsetsToAutoCommit()], CancellationToken.None);
        }
        catch (OrkaException e) when (e.Code is OrkaErrorCode.RebalanceInProgress or OrkaErrorCode.IllegalGeneration or OrkaErrorCode.UnknownMemberId)
        {
            // The group moved on; the records will be delivered again from the last commit.
        }
    }

    /// <summary>Every <see cref="ConsumerOptions.MetadataMaxAge"/>: a subscribed topic that grew means a rejoin.</summary>
    public async Task CheckMetadataAsync()
    {
        if (time.GetElapsedTime(_lastMetadataCheck) < options.MetadataMaxAge)
        {
            return;
        }

        _lastMetadataCheck = time.GetTimestamp();
        var counts = await PartitionCountsAsync();
        if (!counts.OrderBy(c => c.Key, StringComparer.Ordinal).SequenceEqual(_knownPartitionCounts.OrderBy(c => c.Key, StringComparer.Ordinal)))
        {
            RequestRejoin(fenced: false);
        }
    }

    /// <summary>Marks the membership for a rejoin (losing the generation when fenced); the read loop does it at its next turn. Any thread.</summary>
    public void RequestRejoin(bool fenced)
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

        fetcher.Wake();
    }

    /// <summary>When a rebalance is due: revoke (committing first) or lose the assignment, rejoin, sync, take the new one.</summary>
    public async Task EnsureGroupMembershipAsync(CancellationToken cancellationToken)
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

        subscriptions.InFlight = null;
        var held = subscriptions.Assignment.ToImmutableArray();
        if (held.Length > 0)
        {
            if (fenced)
            {
                consumer.SetAssignment([]);
                if (consumer.PartitionsLost is { } lost)
                {
                    await lost(held);
                }
            }
            else
            {
                if (options.EnableAutoCommit)
                {
                    await AutoCommitAsync();
                }

                if (consumer.PartitionsRevoked is { } revoked)
                {
                    await revoked(held);
                }

                consumer.SetAssignment([]);
            }
        }

        // A sticky assignor keeps what this member held, unless it was fenced (the partitions may be elsewhere now).
        // The counts the group will assign from (it reads them at the join): later growth means a rejoin.
        _knownPartitionCounts = await PartitionCountsAsync();
        _lastMetadataCheck = time.GetTimestamp();
        var assignment = await JoinAndSyncAsync(fenced ? [] : held, cancellationToken);
        consumer.SetAssignment(assignment);
        StartHeartbeat();
        if (consumer.PartitionsAssigned is { } assigned)
        {
            await assigned(assignment);
        }
    }

    /// <summary>Stops heartbeating (no leave): for a switch to manual assignment.</summary>
    public void Stop()
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
    public async Task LeaveAsync()
    {
        string memberId;
        bool frozen;
        lock (_sync)
        {
            // A frozen member plays a hung process: it neither commits nor leaves.
            frozen = _heartbeatFrozen;
            memberId = frozen ? "" : _memberId;
        }

        var subscribed = !subscriptions.Subscription.IsEmpty;
        if (!frozen && subscribed && GenerationId >= 0 && options.EnableAutoCommit)
        {
            await AutoCommitAsync();
        }

        var heartbeat = _heartbeat;
        Stop();
        if (heartbeat is not null)
        {
            await heartbeat;
        }

        if (subscribed && memberId.Length > 0)
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

    private IConsumerGroupGrain Group() => client.GetGrain<IConsumerGroupGrain>(options.GroupId!);

    private async Task<Dictionary<string, int>> PartitionCountsAsync()
    {
        var topics = subscriptions.Subscription;
        var metadata = await Task.WhenAll(topics.Select(t => client.GetGrain<ITopicGrain>(t).GetMetadataAsync()));
        return topics.Select((t, i) => (t, metadata[i]?.PartitionCount ?? 0)).ToDictionary(x => x.t, x => x.Item2, StringComparer.Ordinal);
    }

    /// <summary>Join (twice for a new member: the group hands out the id), then sync; again on REBALANCE_IN_PROGRESS.</summary>
    private async Task<ImmutableArray<TopicPartition>> JoinAndSyncAsync(ImmutableArray<TopicPartition> owned, CancellationToken cancellationToken)
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

            var subscription = ConsumerProtocolCodec.EncodeSubscription(new ConsumerSubscription(subscriptions.Subscription, owned, lastGeneration));
            var request = new JoinGroupRequest(
                memberId,
                options.ClientId,
                ProtocolType,
                [.. options.PartitionAssignmentStrategy.Select(name => new GroupProtocol(name, subscription))],
                options.SessionTimeout,
                options.MaxPollInterval);
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
                    throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol, $"Group '{options.GroupId}' sent an assignment that is not consumer-protocol bytes.");
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

                return assignment;
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

    /// <summary>The generation and member id to heartbeat for; false while not in a generation or frozen. Any thread.</summary>
    internal bool TryGetHeartbeatTarget(out int generation, out string memberId)
    {
        lock (_sync)
        {
            (generation, memberId) = (_generation, _memberId);
            return !_heartbeatFrozen && _generation >= 0;
        }
    }

    /// <summary>The group no longer knows this member id: the next join starts as a new member. Any thread.</summary>
    internal void ForgetMemberId()
    {
        lock (_sync)
        {
            _memberId = "";
        }
    }

    private void StartHeartbeat()
    {
        if (_heartbeat is not null)
        {
            return;
        }

        _heartbeatStop = new CancellationTokenSource();
        _heartbeat = new GroupHeartbeat(options, time, this, Group()).RunAsync(_heartbeatStop.Token);
    }
}
