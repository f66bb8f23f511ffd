namespace Orka.Broker.Hosting;

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
}
