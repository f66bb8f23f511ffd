namespace Orka.Broker.Groups.Assignors;

/// <summary>
/// Kafka's round-robin assignor: every subscribed partition (by topic, then number) is dealt to the
/// members in id order, skipping members not subscribed to its topic. Balanced when members share
/// subscriptions; no regard for previous owners.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => "roundrobin";

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = PartitionAssignors.Empty(members);
        var ordered = members.OrderBy(m => m.MemberId, StringComparer.Ordinal).ToList();
        var next = 0;
        foreach (var partition in PartitionAssignors.SubscribedPartitions(members, partitionCounts))
        {
            // Some member subscribes to this topic, so the loop ends within one turn of the table.
            while (!ordered[next % ordered.Count].Topics.Contains(partition.Topic))
            {
                next++;
            }

            result[ordered[next % ordered.Count].MemberId].Add(partition);
            next++;
        }

        return result;
    }
}
