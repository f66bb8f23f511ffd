namespace Orka.Broker.Groups.Assignors;

/// <summary>
/// Kafka's range assignor: per topic, the members subscribed to it (by id) each take a contiguous
/// range; the first <c>partitions % members</c> members take one more. Co-partitioned topics land
/// together, at the cost of imbalance when many topics have fewer partitions than members.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = PartitionAssignors.Empty(members);
        foreach (var topic in members.SelectMany(m => m.Topics).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var subscribed = members.Where(m => m.Topics.Contains(topic)).Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList();
            var count = partitionCounts.GetValueOrDefault(topic);
            var each = count / subscribed.Count;
            var extra = count % subscribed.Count;
            var next = 0;
            for (var i = 0; i < subscribed.Count; i++)
            {
                var take = each + (i < extra ? 1 : 0);
                result[subscribed[i]].AddRange(Enumerable.Range(next, take).Select(p => new TopicPartition(topic, p)));
                next += take;
            }
        }

        return result;
    }
}
