namespace Orka;

/// <summary>
/// The one place that decides who serves a partition and what a node that cannot serve it answers.
/// Placement puts a partition grain on the silo of <see cref="NodeToServe"/>; the partition grain's
/// activation, the Kafka listener's Produce and Fetch (<see cref="LocalError"/>) and its Metadata
/// answer, the gateway's and the CLI's cluster health (<see cref="IsOffline"/>) all ask here, so a
/// change of the rule (replication: a new leader on failover) lands in one file.
/// </summary>
/// <remarks>
/// Pure functions of the topic's metadata and of which nodes are live: no Orleans, no I/O, so the
/// silo, the Kafka listener and the clients share them without referencing the broker.
/// </remarks>
public static class PartitionLeadership
{
    /// <summary>The assignment of <paramref name="partition"/>, or null when the topic or partition does not exist.</summary>
    public static PartitionAssignment? AssignmentOf(TopicMetadata? metadata, int partition) =>
        metadata is null || partition < 0 || partition >= metadata.PartitionCount ? null : metadata.Assignments[partition];

    /// <summary>The node whose silo must serve the partition of <paramref name="assignment"/> (its leader).</summary>
    public static int NodeToServe(PartitionAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return assignment.Leader;
    }

    /// <summary>
    /// Why node <paramref name="localNode"/> cannot serve <paramref name="partition"/> of
    /// <paramref name="metadata"/>, or <see cref="OrkaErrorCode.None"/> when it leads it: no such
    /// topic or partition is UNKNOWN_TOPIC_OR_PARTITION; another node's partition is
    /// NOT_LEADER_OR_FOLLOWER (Kafka clients then refresh metadata and go to the leader).
    /// </summary>
    public static OrkaErrorCode LocalError(TopicMetadata? metadata, int partition, int localNode) =>
        AssignmentOf(metadata, partition) is not { } assignment ? OrkaErrorCode.UnknownTopicOrPartition
        : NodeToServe(assignment) != localNode ? OrkaErrorCode.NotLeaderOrFollower
        : OrkaErrorCode.None;

    /// <summary>Whether nobody can serve the partition now: its leader's node is not live.</summary>
    public static bool IsOffline(PartitionAssignment assignment, IReadOnlySet<int> liveNodes)
    {
        ArgumentNullException.ThrowIfNull(liveNodes);
        return !liveNodes.Contains(NodeToServe(assignment));
    }
}
