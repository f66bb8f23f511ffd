namespace Orka.Grains;

/// <summary>
/// The one way to address a partition grain: by <see cref="TopicPartition"/>, whose
/// <see cref="TopicPartition.ToGrainKey"/> is the grain's key. Which silo activates it is decided
/// by placement from the partition's assignment, not by the caller.
/// </summary>
public static class PartitionGrains
{
    public static IPartitionGrain GetPartitionGrain(this IGrainFactory grains, TopicPartition partition)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IPartitionGrain>(partition.ToGrainKey());
    }

    public static IPartitionGrain GetPartitionGrain(this IGrainFactory grains, string topic, int partition) =>
        grains.GetPartitionGrain(new TopicPartition(topic, partition));
}
