namespace Orka.Broker.Groups.Assignors;

/// <summary>The server-side assignors by protocol name.</summary>
internal static class PartitionAssignors
{
    private static readonly Dictionary<string, IPartitionAssignor> ByName = new IPartitionAssignor[]
    {
        new RangeAssignor(), new RoundRobinAssignor(), new StickyAssignor(),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>The names a native member may list as its protocols.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static bool TryGet(string name, out IPartitionAssignor assignor) => ByName.TryGetValue(name, out assignor!);

    /// <summary>Every partition of the topics <paramref name="members"/> subscribe to, by topic then number.</summary>
    internal static List<TopicPartition> SubscribedPartitions(IEnumerable<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts) =>
        members.SelectMany(m => m.Topics).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .SelectMany(t => Enumerable.Range(0, partitionCounts.GetValueOrDefault(t)).Select(p => new TopicPartition(t, p)))
            .ToList();

    /// <summary>An empty entry per member, members in id order.</summary>
    internal static SortedDictionary<string, List<TopicPartition>> Empty(IEnumerable<AssignorMember> members)
    {
        var result = new SortedDictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            result[member.MemberId] = [];
        }

        return result;
    }
}
