namespace Orka.Broker.Groups.Assignors;

/// <summary>
/// A sticky assignor: balanced like round-robin, but keeps each partition with its previous owner
/// whenever balance allows, so a rebalance moves as few partitions as possible.
/// </summary>
/// <remarks>
/// <para>1. Each member keeps the partitions it owned that still exist and that it still subscribes
/// to; a partition claimed by two members goes to the claim from the newer generation (then the
/// smaller member id). 2. Unowned partitions go, one by one, to the eligible member holding the
/// fewest (ties: smaller id). 3. While some member holds at least two more than another member
/// eligible for one of its partitions, the most loaded member hands its highest such partition to
/// the least loaded eligible member. Every move lowers the sum of squared loads, so this ends;
/// moves happen only to fix imbalance, so owners are kept as far as balance allows. When every
/// member subscribes to the same topics the result is balanced to within one partition.</para>
/// <para>Cost: O(moves × members × partitions) in the worst case, fine for thousands of partitions.</para>
/// </remarks>
internal sealed class StickyAssignor : IPartitionAssignor
{
    public string Name => "sticky";

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = PartitionAssignors.Empty(members);
        var byId = members.ToDictionary(m => m.MemberId, StringComparer.Ordinal);
        var all = PartitionAssignors.SubscribedPartitions(members, partitionCounts);
        var exists = all.ToHashSet();

        // 1. Previous owners keep what they still may have; conflicts go to the newer generation.
        var owner = new Dictionary<TopicPartition, AssignorMember>();
        foreach (var member in members.OrderByDescending(m => m.OwnedGeneration).ThenBy(m => m.MemberId, StringComparer.Ordinal))
        {
            foreach (var partition in member.Owned.IsDefault ? [] : member.Owned)
            {
                if (exists.Contains(partition) && member.Topics.Contains(partition.Topic) && owner.TryAdd(partition, member))
                {
                    result[member.MemberId].Add(partition);
                }
            }
        }

        // 2. The rest to the least loaded eligible member.
        foreach (var partition in all.Where(p => !owner.ContainsKey(p)))
        {
            var target = result.Where(r => byId[r.Key].Topics.Contains(partition.Topic))
                .OrderBy(r => r.Value.Count).ThenBy(r => r.Key, StringComparer.Ordinal).First();
            target.Value.Add(partition);
        }

        // 3. Move partitions from the most to the least loaded eligible member until balanced.
        while (TryFindMove(result, byId, out var from, out var to, out var partition))
        {
            result[from].Remove(partition);
            result[to].Add(partition);
        }

        foreach (var list in result.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Topic, b.Topic) is var t && t != 0 ? t : a.Partition.CompareTo(b.Partition));
        }

        return result;
    }

    private static bool TryFindMove(
        SortedDictionary<string, List<TopicPartition>> result,
        Dictionary<string, AssignorMember> byId,
        out string from,
        out string to,
        out TopicPartition partition)
    {
        var least = result.Values.Min(r => r.Count);
        foreach (var (donor, held) in result.OrderByDescending(r => r.Value.Count).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            if (held.Count < least + 2)
            {
                // Donors come most loaded first: nobody further down can give to anyone.
                break;
            }

            var candidates = held
                .OrderByDescending(p => p.Topic, StringComparer.Ordinal).ThenByDescending(p => p.Partition);
            foreach (var p in candidates)
            {
                var receiver = result
                    .Where(r => r.Value.Count + 1 < held.Count && byId[r.Key].Topics.Contains(p.Topic))
                    .OrderBy(r => r.Value.Count).ThenBy(r => r.Key, StringComparer.Ordinal)
                    .Select(r => r.Key)
                    .FirstOrDefault();
                if (receiver is not null)
                {
                    (from, to, partition) = (donor, receiver, p);
                    return true;
                }
            }
        }

        (from, to, partition) = ("", "", default);
        return false;
    }
}
