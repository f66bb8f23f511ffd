namespace Orka.Storage;

/// <summary>Settings of one node's <see cref="LogManager"/>.</summary>
public sealed record LogManagerOptions
{
    /// <summary>The node's data directory; one subdirectory per partition log.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// How often open logs are checked against their <see cref="LogConfig.FlushMs"/> (Kafka's
    /// <c>log.flush.scheduler.interval.ms</c>). <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan FlushCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often retention runs over open logs (Kafka's <c>log.retention.check.interval.ms</c>).
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the log cleaner looks at logs whose cleanup.policy includes compact and cleans
    /// those whose dirty ratio has reached min.cleanable.dirty.ratio (Kafka's
    /// <c>log.cleaner.backoff.ms</c>). <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan CompactionCheckInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often the recovery-point and log-start-offset checkpoints are written (Kafka's
    /// <c>log.flush.offset.checkpoint.interval.ms</c>); the longer, the more a crash makes recovery
    /// re-read. <see cref="Timeout.InfiniteTimeSpan"/> turns it off (they are still written at shutdown).
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most segment <c>.log</c> handles kept open across the node, active segments included;
    /// the least recently used idle ones beyond it are closed and reopened on their next append or
    /// read. Index files hold no handle at rest. So the node's descriptors stay near this figure
    /// plus its connections, however many partitions it holds.
    /// </summary>
    public int MaxOpenSegmentFiles { get; init; } = 4096;

    /// <summary>
    /// How often the process's open descriptors are counted against its limit (a warning is logged
    /// at 80%). <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan DescriptorCheckInterval { get; init; } = TimeSpan.FromSeconds(10);
}
