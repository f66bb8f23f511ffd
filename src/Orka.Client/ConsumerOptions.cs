namespace Orka.Client;

/// <summary>Consumer settings, named after the Kafka consumer's.</summary>
public sealed record ConsumerOptions
{
    /// <summary>
    /// <c>group.id</c>: the group whose committed offsets a consumer starts from and commits to, and
    /// which <see cref="OrkaConsumer.Subscribe(IEnumerable{string})"/> joins; null reads without committing.
    /// </summary>
    public string? GroupId { get; init; }

    /// <summary><c>client.id</c>: shown per member by <c>orka groups describe</c>; the group's member ids start with it.</summary>
    public string ClientId { get; init; } = "orka-consumer";

    /// <summary><c>auto.offset.reset</c>: where to start a partition the group has no committed offset for.</summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Latest;

    /// <summary><c>fetch.max.bytes</c> per partition fetch.</summary>
    public int MaxFetchBytes { get; init; } = 1024 * 1024;

    /// <summary><c>fetch.max.wait.ms</c>: how long a fetch waits on the broker for new data.</summary>
    public TimeSpan MaxFetchWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// <c>enable.auto.commit</c>: commit, every <see cref="AutoCommitInterval"/>, the offsets of the records
    /// the application has moved past (asked for the next record after), and before partitions are revoked
    /// or the consumer is disposed. Records are delivered at least once: one being processed when the
    /// consumer stops is delivered again.
    /// </summary>
    public bool EnableAutoCommit { get; init; } = true;

    /// <summary><c>auto.commit.interval.ms</c>.</summary>
    public TimeSpan AutoCommitInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>session.timeout.ms</c>: a member whose heartbeats stop for this long is removed from the
    /// group and its partitions move. The group accepts 500 ms to 30 min.
    /// </summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary><c>heartbeat.interval.ms</c>: how often a member heartbeats (well under the session timeout).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>max.poll.interval.ms</c>, the group's rebalance timeout: how long the group waits for a
    /// member to rejoin during a rebalance, i.e. for the application to ask for its next record.
    /// </summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>partition.assignment.strategy</c>: the server-side assignors this member accepts, preferred
    /// first: <c>sticky</c> (balanced, keeps partitions with their owners across rebalances),
    /// <c>range</c>, <c>roundrobin</c>.
    /// </summary>
    public IReadOnlyList<string> PartitionAssignmentStrategy { get; init; } = ["sticky", "range", "roundrobin"];

    /// <summary>
    /// <c>metadata.max.age.ms</c>: how often a group member checks its topics' partition counts; when
    /// a topic has grown, the member rejoins so that the group assigns the new partitions.
    /// </summary>
    public TimeSpan MetadataMaxAge { get; init; } = TimeSpan.FromMinutes(5);
}
