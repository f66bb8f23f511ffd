using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Where one partition lives: the nodes that hold a copy (<see cref="Replicas"/>, the preferred
/// leader first), the node that serves it (<see cref="Leader"/>), the generation of that leadership
/// (<see cref="LeaderEpoch"/>, raised by every change of leader) and the replicas known to hold every
/// acknowledged record (<see cref="InSyncReplicas"/>). Until replication exists every partition has
/// one replica, its leader, at epoch 0.
/// </summary>
/// <remarks>
/// What must stay true: <see cref="Leader"/> is one of <see cref="Replicas"/> and of
/// <see cref="InSyncReplicas"/>; <see cref="InSyncReplicas"/> is a subset of <see cref="Replicas"/>.
/// Read it through <see cref="TopicMetadata.Assignments"/>; decide with
/// <see cref="PartitionLeadership"/>.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Orka.PartitionAssignment")]
public sealed record PartitionAssignment(
    [property: Id(0)] ImmutableArray<int> Replicas,
    [property: Id(1)] int Leader,
    [property: Id(2)] int LeaderEpoch,
    [property: Id(3)] ImmutableArray<int> InSyncReplicas)
{
    /// <summary>A partition with its only copy on <paramref name="node"/>, led by it since epoch 0.</summary>
    public static PartitionAssignment OnNode(int node) => new([node], node, 0, [node]);

    /// <summary>Whether <paramref name="node"/> holds a copy of the partition.</summary>
    public bool HasReplica(int node) => Replicas.Contains(node);

    public bool Equals(PartitionAssignment? other) =>
        other is not null
        && Leader == other.Leader
        && LeaderEpoch == other.LeaderEpoch
        && Replicas.SequenceEqual(other.Replicas)
        && InSyncReplicas.SequenceEqual(other.InSyncReplicas);

    public override int GetHashCode() => HashCode.Combine(Leader, LeaderEpoch, Replicas.Length, InSyncReplicas.Length);

    public override string ToString() =>
        $"leader {Leader} (epoch {LeaderEpoch}), replicas [{string.Join(",", Replicas)}], in sync [{string.Join(",", InSyncReplicas)}]";
}
