using System.Collections.Immutable;

namespace Orka.Client.Consumer;

/// <summary>
/// What the consumer reads and where it stands, as Kafka's SubscriptionState: the subscribed topics
/// (in a group), the assigned partitions, each partition's position (the next offset to deliver),
/// the paused ones, the record the application is processing, and what was last committed per
/// partition. Pure bookkeeping, no I/O. Touched only by the consumer's reader (not thread-safe).
/// </summary>
/// <remarks>
/// What must stay true: a position exists only for an assigned partition; the record handed out last
/// counts as processed only once the application asks for the next one, so auto-commit commits its
/// own offset rather than the position past it (<see cref="OffsetsToAutoCommit"/>).
/// </remarks>
internal sealed class SubscriptionState
{
    // What auto-commit last committed per partition, so unchanged offsets are not written again.
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];

    /// <summary>The topics subscribed to in a group, sorted; empty when partitions are assigned by hand.</summary>
    public ImmutableArray<string> Subscription { get; set; } = [];

    /// <summary>The partitions being read; in a group, this generation's assignment.</summary>
    public HashSet<TopicPartition> Assignment { get; } = [];

    /// <summary>The next offset to deliver per assigned partition, once known.</summary>
    public Dictionary<TopicPartition, long> Positions { get; } = [];

    public HashSet<TopicPartition> Paused { get; } = [];

    /// <summary>The record the application is processing (yielded, not yet moved past).</summary>
    public (TopicPartition Partition, long Offset)? InFlight { get; set; }

    /// <summary>Replaces the assignment; returns the partitions no longer assigned, whose position, pause and commit record are dropped.</summary>
    public List<TopicPartition> SetAssignment(IEnumerable<TopicPartition> partitions)
    {
        var next = partitions.ToHashSet();
        var gone = Assignment.Where(tp => !next.Contains(tp)).ToList();
        foreach (var tp in gone)
        {
            Assignment.Remove(tp);
            Positions.Remove(tp);
            Paused.Remove(tp);
            _lastCommitted.Remove(tp);
        }

        Assignment.UnionWith(next);
        return gone;
    }

    /// <summary>The assigned partitions without a position yet; null when there are none (no allocation then).</summary>
    public List<TopicPartition>? MissingPositions()
    {
        List<TopicPartition>? missing = null;
        foreach (var tp in Assignment)
        {
            if (!Positions.ContainsKey(tp))
            {
                (missing ??= []).Add(tp);
            }
        }

        return missing;
    }

    /// <summary>The positions of the assigned partitions, as offsets to commit (every delivered record counts as processed).</summary>
    public IEnumerable<CommittedOffset> CurrentOffsets() =>
        Positions.Where(p => Assignment.Contains(p.Key)).Select(p => new CommittedOffset(p.Key, p.Value));

    /// <summary>
    /// What auto-commit should write: per assigned partition, the position, or the in-flight record's
    /// own offset for its partition; leaving out offsets equal to the last commit, and an in-flight
    /// offset below a commit the application made past it itself (that commit stands).
    /// </summary>
    public List<CommittedOffset> OffsetsToAutoCommit()
    {
        var inFlight = InFlight;
        return Positions
            .Where(p => Assignment.Contains(p.Key))
            .Select(p => (Offset: new CommittedOffset(p.Key, inFlight is { } f && f.Partition == p.Key ? f.Offset : p.Value), InFlight: inFlight?.Partition == p.Key))
            .Where(o => _lastCommitted.GetValueOrDefault(o.Offset.Partition, -1) is var last
                && last != o.Offset.Offset
                && !(o.InFlight && o.Offset.Offset < last))
            .Select(o => o.Offset)
            .ToList();
    }

    /// <summary>Notes offsets the group accepted.</summary>
    public void Committed(IEnumerable<CommittedOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            _lastCommitted[offset.Partition] = offset.Offset;
        }
    }
}
