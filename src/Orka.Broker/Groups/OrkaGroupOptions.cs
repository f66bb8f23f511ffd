namespace Orka.Broker.Groups;

/// <summary>Consumer group settings (configuration section <c>Orka:Groups</c>).</summary>
public sealed class OrkaGroupOptions
{
    public const string SectionName = "Orka:Groups";

    /// <summary>
    /// <c>Orka:Groups:OffsetsRetention</c> (Kafka's <c>offsets.retention.minutes</c>): once a group has
    /// no members, each committed offset is deleted this long after the later of its commit and the
    /// moment the group became empty. A group left with no offsets disappears from the group list.
    /// </summary>
    public TimeSpan OffsetsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// <c>Orka:Groups:OffsetsRetentionCheckInterval</c> (Kafka's <c>offsets.retention.check.interval.ms</c>):
    /// how often an active group grain looks for expired offsets. A group grain also checks when it activates.
    /// </summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <c>Orka:Groups:LagMetricsInterval</c>: how often an active group recomputes its lag for the
    /// <c>orka.consumer.lag</c> gauge. Each time costs one offsets call per partition of its topics.
    /// </summary>
    public TimeSpan LagMetricsInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// <c>Orka:Groups:OffsetMetadataMaxBytes</c> (Kafka's <c>offset.metadata.max.bytes</c>): the longest
    /// metadata string a committed offset may carry, in UTF-8 bytes; a commit with a longer one is
    /// refused whole with OFFSET_METADATA_TOO_LARGE. Default 4,096, as in Kafka.
    /// </summary>
    public int OffsetMetadataMaxBytes { get; set; } = 4096;

    /// <summary>
    /// <c>Orka:Groups:MaxPartitionsPerCommit</c>: the most partitions one offset commit may name; a
    /// larger commit is refused whole with INVALID_REQUEST. Kafka has no such limit (its request size
    /// bounds it), and the offsets live in one persisted group state. Default 100,000.
    /// </summary>
    public int MaxPartitionsPerCommit { get; set; } = 100_000;
}
