using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Orka.Client.Consumer;

namespace Orka.Client;

/// <summary>
/// Reads records from Orka, either as a member of a consumer group (<see cref="Subscribe(IEnumerable{string})"/>:
/// the group's broker-side assignor spreads the topics' partitions over its members and moves them
/// when members come and go) or from partitions chosen by the application (<see cref="Assign"/>,
/// <see cref="AssignAsync"/>). Records arrive through <see cref="ConsumeAsync"/> in offset order per
/// partition, with one long-poll fetch outstanding per partition: while the application drains a
/// partition's fetched records, the fetch of the records after them is already under way.
/// </summary>
/// <remarks>
/// <para>Positions start at the group's committed offsets (else <see cref="ConsumerOptions.AutoOffsetReset"/>)
/// and advance as records are yielded; <see cref="CommitAsync(CancellationToken)"/> after processing
/// therefore never skips a record. With <see cref="ConsumerOptions.EnableAutoCommit"/> the consumer
/// commits on its own what the application has moved past.</para>
/// <para>Rebalances are eager, as with Kafka's classic protocol: when the group rebalances, the
/// consumer stops delivering, commits (auto-commit), calls <see cref="PartitionsRevoked"/> with
/// everything it held, rejoins, then calls <see cref="PartitionsAssigned"/> with its new partitions.
/// A member fenced out of the group (its session expired) calls <see cref="PartitionsLost"/> instead
/// and commits nothing. A background loop heartbeats every <see cref="ConsumerOptions.HeartbeatInterval"/>;
/// the rejoin itself happens inside <see cref="ConsumeAsync"/>, so an application that stops asking
/// for records for longer than <see cref="ConsumerOptions.MaxPollInterval"/> is dropped from the group.</para>
/// <para>Not thread-safe: one reader, and the other methods called from that reader's loop (or while
/// it is not iterating). Dispose to leave the group at once rather than after the session timeout.</para>
/// <para>A facade over its parts: <see cref="SubscriptionState"/> (assignment, positions, pauses,
/// commit bookkeeping), <see cref="Fetcher"/> (fetches, fetched buffers, where partitions start, the
/// read loop's wakeup) and <see cref="ConsumerCoordinator"/> (group membership, heartbeat, commits).
/// The read loop itself (<see cref="ConsumeAsync"/>) is here: it turns those parts in order.</para>
/// </remarks>
public sealed class OrkaConsumer : IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly ConsumerOptions _options;
    private readonly SubscriptionState _subscriptions = new();
    private readonly Fetcher _fetcher;
    private readonly ConsumerCoordinator _coordinator;
    private bool _disposed;

    /// <summary>Creates a consumer; it reads nothing until it is subscribed or assigned.</summary>
    public OrkaConsumer(IClusterClient client, ConsumerOptions? options = null, TimeProvider? time = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new ConsumerOptions();
        time ??= TimeProvider.System;
        if (_options.GroupId is { } group)
        {
            Names.ValidateGroupId(group);
        }

        _fetcher = new Fetcher(_client, _options, time, _subscriptions);
        _coordinator = new ConsumerCoordinator(_client, _options, time, _subscriptions, _fetcher, this);
    }

    /// <summary>Called with every partition the group assigned this consumer, after each rebalance (not for <see cref="Assign"/>).</summary>
    public Func<IReadOnlyCollection<TopicPartition>, Task>? PartitionsAssigned { get; set; }

    /// <summary>
    /// Called with the partitions the consumer gives up, before they go to another member: after
    /// the auto-commit and before the consumer rejoins, so a manual <see cref="CommitAsync(CancellationToken)"/>
    /// here still counts. No record of these partitions is delivered afterwards.
    /// </summary>
    public Func<IReadOnlyCollection<TopicPartition>, Task>? PartitionsRevoked { get; set; }

    /// <summary>
    /// Called instead of <see cref="PartitionsRevoked"/> when the consumer was fenced out of the group
    /// (its session expired): the partitions may already belong to another member, so committing is
    /// pointless; records after the last commit will be delivered again, elsewhere.
    /// </summary>
    public Func<IReadOnlyCollection<TopicPartition>, Task>? PartitionsLost { get; set; }

    /// <summary>The partitions currently assigned to this consumer.</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => [.. _subscriptions.Assignment];

    /// <summary>The topics this consumer subscribes to in its group (empty when it assigns partitions itself).</summary>
    public IReadOnlyList<string> Subscription => _subscriptions.Subscription;

    /// <summary>The partitions whose next offset is known, and that offset.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Positions => _subscriptions.Positions;

    /// <summary>The partitions <see cref="Pause"/>d.</summary>
    public IReadOnlyCollection<TopicPartition> Paused => [.. _subscriptions.Paused];

    /// <summary>This consumer's member id in its group; empty when it is not a member.</summary>
    public string MemberId => _coordinator.MemberId;

    /// <summary>The group generation this consumer's assignment belongs to; -1 when it is not a member.</summary>
    public int GenerationId => _coordinator.GenerationId;

    /// <summary>
    /// Joins the group (<see cref="ConsumerOptions.GroupId"/>, required) to read <paramref name="topics"/>;
    /// the join itself happens in <see cref="ConsumeAsync"/>. Replaces an earlier subscription or assignment.
    /// </summary>
    public void Subscribe(params IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (_options.GroupId is null)
        {
            throw new InvalidOperationException("Subscribe needs ConsumerOptions.GroupId; use Assign to read without a group.");
        }

        var list = topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        if (list.IsEmpty)
        {
            throw new ArgumentException("Subscribe to at least one topic.", nameof(topics));
        }

        foreach (var topic in list)
        {
            Names.ValidateTopicName(topic);
        }

        if (!_subscriptions.Subscription.SequenceEqual(list))
        {
            _subscriptions.Subscription = list;
            _coordinator.RequestRejoin(fenced: false);
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="partitions"/>, without joining a group (offsets still start at,
    /// and commit to, <see cref="ConsumerOptions.GroupId"/> if set, as a simple consumer whose commits
    /// the group accepts only while it has no members). Replaces an earlier subscription or assignment.
    /// </summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        foreach (var tp in list)
        {
            Names.ValidateTopicName(tp.Topic);
            ArgumentOutOfRangeException.ThrowIfNegative(tp.Partition, nameof(partitions));
        }

        _subscriptions.Subscription = [];
        _coordinator.Stop();
        SetAssignment(list);
    }

    /// <summary>Assigns every partition of <paramref name="topic"/> (see <see cref="Assign"/>); throws if the topic does not exist.</summary>
    public async Task AssignAsync(string topic)
    {
        var metadata = await new OrkaAdmin(_client).GetTopicAsync(topic);
        Assign(Enumerable.Range(0, metadata.PartitionCount).Select(p => new TopicPartition(topic, p)));
    }

    /// <summary>Leaves the group (after an auto-commit) and stops reading.</summary>
    public async Task UnsubscribeAsync()
    {
        await LeaveGroupAsync();
        _subscriptions.Subscription = [];
        SetAssignment([]);
    }

    /// <summary>The next offset <see cref="ConsumeAsync"/> will deliver from <paramref name="partition"/>; -1 until known.</summary>
    public long Position(TopicPartition partition) => _subscriptions.Positions.GetValueOrDefault(partition, -1);

    /// <summary>Moves the next offset of an assigned partition; records already fetched past it are dropped.</summary>
    public void Seek(TopicPartition partition, long offset)
    {
        if (!_subscriptions.Assignment.Contains(partition))
        {
            throw new ArgumentException($"Partition {partition} is not assigned to this consumer.", nameof(partition));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _subscriptions.Positions[partition] = offset;
        _fetcher.Drop(partition);
        _fetcher.Wake();
    }

    /// <summary>Stops delivering (and fetching) the given assigned partitions until <see cref="Resume"/>; they stay assigned.</summary>
    public void Pause(params IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            if (!_subscriptions.Assignment.Contains(tp))
            {
                throw new ArgumentException($"Partition {tp} is not assigned to this consumer.", nameof(partitions));
            }

            _subscriptions.Paused.Add(tp);
            _fetcher.StopDraining(tp);
        }
    }

    /// <summary>Delivers the given partitions again.</summary>
    public void Resume(params IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            if (_subscriptions.Paused.Remove(tp))
            {
                // Its fetched records were passed over while paused.
                _fetcher.Resume(tp);
            }
        }

        _fetcher.Wake();
    }

    /// <summary>
    /// Leaves the group (committing first when auto-commit is on) and stops the heartbeat. Best effort:
    /// if the cluster cannot be reached (or the Orleans client is already stopped) nothing is thrown,
    /// and the group drops the member after its session timeout instead.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await LeaveGroupAsync();
        }
        catch (Exception e) when (e is OrkaException or ObjectDisposedException or TimeoutException or OrleansException or OperationCanceledException)
        {
            // Leaving is a courtesy that speeds up the rebalance; the session timeout does the same job.
            _coordinator.Stop();
        }
        finally
        {
            _disposed = true;
        }
    }

    /// <summary>
    /// Commits the current positions (every record delivered so far counts as processed). In a group
    /// the commit carries this member's generation: during or after a rebalance it fails with
    /// REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID and the records after the last
    /// commit are delivered again, to whoever owns the partition next. Does nothing without a group id.
    /// </summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        CommitAsync(_subscriptions.CurrentOffsets(), cancellationToken);

    /// <summary>Commits the given offsets (the next offset to read, per partition), with optional metadata each.</summary>
    public async Task CommitAsync(IEnumerable<CommittedOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        await _coordinator.CommitAsync(offsets.ToImmutableArray(), cancellationToken);
    }

    /// <summary>
    /// Records from the assigned (or subscribed) partitions until <paramref name="cancellationToken"/>
    /// fires. Joins the group and handles rebalances between records. When the enumeration ends,
    /// auto-commit commits what the application moved past.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Cancellation, like a completed fetch, wakes the loop (checked at the top of each turn).
        using var cancelled = cancellationToken.Register(static f => ((Fetcher)f!).Wake(), _fetcher);
        var autoCommits = _options.EnableAutoCommit && _options.GroupId is not null;
        _coordinator.ResetAutoCommitTimer();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // The application asked for the next record: the previous one is processed.
                _subscriptions.InFlight = null;
                if (!_subscriptions.Subscription.IsEmpty)
                {
                    await _coordinator.CheckMetadataAsync();
                    if (!await TryEnsureGroupMembershipAsync(cancellationToken))
                    {
                        yield break;
                    }
                }

                // Without a group there is nothing to commit: no clock read per record then.
                if (autoCommits && _coordinator.AutoCommitDue)
                {
                    await _coordinator.AutoCommitAsync();
                }

                if (_fetcher.TryTake(out var record))
                {
                    _subscriptions.Positions[record.Partition] = record.Offset + 1;
                    _subscriptions.InFlight = (record.Partition, record.Offset);
                    yield return record;
                    continue;
                }

                await _fetcher.InitializePositionsAsync();
                _fetcher.StartFetches();
                var wakeup = _fetcher.Wakeup;

                // Every fetch wakes the loop when it completes, so a consumer that is caught up waits
                // on one task per turn: no list of tasks and no WhenAny per fetch.
                if (autoCommits)
                {
                    await Task.WhenAny(wakeup, _coordinator.DelayUntilAutoCommit());
                }
                else
                {
                    await wakeup;
                }

                _fetcher.Rearm();
                await _fetcher.CollectFetchesAsync(cancellationToken);
            }
        }
        finally
        {
            if (_options.EnableAutoCommit && !_disposed)
            {
                await _coordinator.AutoCommitAsync();
            }
        }
    }

    /// <summary>Test hook: the member stops heartbeating (as a hung process would) until disposed.</summary>
    internal void FreezeHeartbeat() => _coordinator.FreezeHeartbeat();

    /// <summary>Replaces the assignment: positions and fetched records of partitions no longer assigned are dropped.</summary>
    internal void SetAssignment(IEnumerable<TopicPartition> partitions)
    {
        foreach (var gone in _subscriptions.SetAssignment(partitions))
        {
            _fetcher.Drop(gone);
        }

        _fetcher.Wake();
    }

    /// <summary>False when the enumeration was cancelled while the consumer (re)joined its group.</summary>
    private async Task<bool> TryEnsureGroupMembershipAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _coordinator.EnsureGroupMembershipAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Auto-commits, stops the heartbeat and leaves the group (nothing once disposed).</summary>
    private Task LeaveGroupAsync() => _disposed ? Task.CompletedTask : _coordinator.LeaveAsync();
}
