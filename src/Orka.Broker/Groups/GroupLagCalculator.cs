using System.Collections.Immutable;

namespace Orka.Broker.Groups;

/// <summary>
/// A group's lag per partition, for every partition of every topic it has committed offsets in or
/// is assigned: log end minus committed offset (minus the log start when nothing is committed);
/// -1 where the partition's node is down or the topic or partition is gone.
/// </summary>
/// <remarks>Costs one metadata call per topic and one offsets call per partition, each set in parallel.</remarks>
internal static class GroupLagCalculator
{
    public static async Task<ImmutableArray<PartitionLag>> GetLagAsync(
        IGrainFactory grains, Dictionary<TopicPartition, long> committed, Dictionary<TopicPartition, string> owners)
    {
        var topics = committed.Keys.Concat(owners.Keys).Select(p => p.Topic).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var metadata = await Task.WhenAll(topics.Select(t => grains.GetGrain<ITopicGrain>(t).GetMetadataAsync()));
        var partitions = new SortedSet<TopicPartition>(committed.Keys.Concat(owners.Keys), PartitionOrder.Instance);
        foreach (var topic in metadata.OfType<TopicMetadata>())
        {
            for (var p = 0; p < topic.PartitionCount; p++)
            {
                partitions.Add(new TopicPartition(topic.Name, p));
            }
        }

        var existing = metadata.OfType<TopicMetadata>().ToDictionary(m => m.Name, m => m.PartitionCount, StringComparer.Ordinal);
        var lags = await Task.WhenAll(partitions.Select(async tp =>
        {
            var offset = committed.GetValueOrDefault(tp, -1);
            var owner = owners.GetValueOrDefault(tp);
            if (!existing.TryGetValue(tp.Topic, out var count) || tp.Partition >= count)
            {
                return new PartitionLag(tp, offset, -1, -1, owner);
            }

            try
            {
                var log = await grains.GetPartitionGrain(tp).GetOffsetsAsync();
                var lag = Math.Max(0, log.LogEndOffset - (offset >= 0 ? offset : log.LogStartOffset));
                return new PartitionLag(tp, offset, log.LogEndOffset, lag, owner);
            }
            catch (OrkaException e) when (e.IsRetriable)
            {
                // The partition's node is down: the committed offset is still worth showing.
                return new PartitionLag(tp, offset, -1, -1, owner);
            }
        }));
        return [.. lags];
    }

    private sealed class PartitionOrder : IComparer<TopicPartition>
    {
        public static readonly PartitionOrder Instance = new();

        public int Compare(TopicPartition x, TopicPartition y)
        {
            var byTopic = string.CompareOrdinal(x.Topic, y.Topic);
            return byTopic != 0 ? byTopic : x.Partition.CompareTo(y.Partition);
        }
    }
}
