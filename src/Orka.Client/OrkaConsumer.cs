using System.Collections.Immutable;

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
/// </remarks>
public sealed partial class OrkaConsumer : IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;

    // The partitions being read; in a group, this generation's assignment.
    private readonly HashSet<TopicPartition> _assignment = [];
    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly HashSet<TopicPartition> _paused = [];

    private ImmutableArray<string> _subscription = [];
    private bool _disposed;

    /// <summary>Creates a consumer; it reads nothing until it is subscribed or assigned.</summary>
    public OrkaConsumer(IClusterClient client, ConsumerOptions? options = null, TimeProvider? time = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new ConsumerOptions();
        _time = time ?? TimeProvider.System;
        if (_options.GroupId is { } group)
        {
            Names.ValidateGroupId(group);
        }
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
    public IReadOnlyCollection<TopicPartition> Assignment => [.. _assignment];

    /// <summary>The topics this consumer subscribes to in its group (empty when it assigns partitions itself).</summary>
    public IReadOnlyList<string> Subscription => _subscription;

    /// <summary>The partitions whose next offset is known, and that offset.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Positions => _positions;

    /// <summary>The partitions <see cref="Pause"/>d.</summary>
    public IReadOnlyCollection<TopicPartition> Paused => [.. _paused];

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

        if (!_subscription.SequenceEqual(list))
        {
            _subscription = list;
            RequestRejoin(fenced: false);
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

        _subscription = [];
        StopGroupMembership();
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
        _subscription = [];
        SetAssignment([]);
    }

    /// <summary>The next offset <see cref="ConsumeAsync"/> will deliver from <paramref name="partition"/>; -1 until known.</summary>
    public long Position(TopicPartition partition) => _positions.GetValueOrDefault(partition, -1);

    /// <summary>Moves the next offset of an assigned partition; records already fetched past it are dropped.</summary>
    public void Seek(TopicPartition partition, long offset)
    {
        if (!_assignment.Contains(partition))
        {
            throw new ArgumentException($"Partition {partition} is not assigned to this consumer.", nameof(partition));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _positions[partition] = offset;
        DropBuffered(partition);
        Wake();
    }

    /// <summary>Stops delivering (and fetching) the given assigned partitions until <see cref="Resume"/>; they stay assigned.</summary>
    public void Pause(params IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            if (!_assignment.Contains(tp))
            {
                throw new ArgumentException($"Partition {tp} is not assigned to this consumer.", nameof(partitions));
            }

            _paused.Add(tp);
            StopDraining(tp);
        }
    }

    /// <summary>Delivers the given partitions again.</summary>
    public void Resume(params IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            if (_paused.Remove(tp) && _buffers.ContainsKey(tp))
            {
                // Its fetched records were passed over while paused.
                _ready.Enqueue(tp);
            }
        }

        Wake();
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
            StopGroupMembership();
        }
        finally
        {
            _disposed = true;
        }
    }

    /// <summary>Replaces the assignment: positions and buffered records of partitions no longer assigned are dropped.</summary>
    private void SetAssignment(IEnumerable<TopicPartition> partitions)
    {
        var next = partitions.ToHashSet();
        foreach (var gone in _assignment.Where(tp => !next.Contains(tp)).ToList())
        {
            _assignment.Remove(gone);
            _positions.Remove(gone);
            _paused.Remove(gone);
            _lastCommitted.Remove(gone);
            DropBuffered(gone);
        }

        _assignment.UnionWith(next);
        Wake();
    }

    private IConsumerGroupGrain Group() => _client.GetGrain<IConsumerGroupGrain>(_options.GroupId!);
}
