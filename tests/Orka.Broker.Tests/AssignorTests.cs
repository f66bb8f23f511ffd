using Orka.Broker.Groups.Assignors;

namespace Orka.Broker.Tests;

/// <summary>The server-side assignors as pure functions: coverage, balance, determinism, stickiness.</summary>
public sealed class AssignorTests
{
    public static TheoryData<string> Assignors => ["range", "roundrobin", "sticky"];

    private static IPartitionAssignor Get(string name) => PartitionAssignors.TryGet(name, out var a) ? a : throw new ArgumentException(name);

    // Intent: every subscribed partition goes to exactly one member that subscribes to its topic.
    [Theory]
    [MemberData(nameof(Assignors))]
    public void Assign_MixedSubscriptions_EachPartitionExactlyOnceToASubscriber(string name)
    {
        var members = new[] { Member("m1", "a", "b"), Member("m2", "a"), Member("m3", "b", "c") };
        var counts = Counts(("a", 5), ("b", 3), ("c", 2));

        var assignment = Get(name).Assign(members, counts);

        var owned = assignment.SelectMany(a => a.Value.Select(p => (Member: a.Key, Partition: p))).ToList();
        var expected = counts.SelectMany(c => Enumerable.Range(0, c.Value).Select(p => new TopicPartition(c.Key, p))).Order(Comparer).ToList();
        Assert.Equal(expected, owned.Select(o => o.Partition).Order(Comparer).ToList());
        Assert.All(owned, o => Assert.Contains(o.Partition.Topic, members.Single(m => m.MemberId == o.Member).Topics));
        Assert.Equal(members.Select(m => m.MemberId).Order(), assignment.Keys.Order());
    }

    // Intent: with shared subscriptions, round-robin and sticky balance to within one partition.
    [Theory]
    [InlineData("roundrobin", 6, 3)]
    [InlineData("roundrobin", 7, 3)]
    [InlineData("sticky", 6, 3)]
    [InlineData("sticky", 7, 3)]
    [InlineData("sticky", 2, 3)]
    [InlineData("range", 6, 3)]
    public void Assign_SameSubscriptions_BalancedWithinOne(string name, int partitions, int memberCount)
    {
        var members = Enumerable.Range(0, memberCount).Select(i => Member($"m{i}", "t")).ToList();

        var loads = Get(name).Assign(members, Counts(("t", partitions))).Values.Select(v => v.Count).ToList();

        Assert.Equal(partitions, loads.Sum());
        Assert.True(loads.Max() - loads.Min() <= 1, $"loads {string.Join(",", loads)}");
    }

    // Intent: the answer does not depend on the order members are listed in.
    [Theory]
    [MemberData(nameof(Assignors))]
    public void Assign_MembersInAnyOrder_SameAnswer(string name)
    {
        var members = new[] { Member("b", "x", "y"), Member("c", "x"), Member("a", "y"), Member("d", "x", "y") };
        var counts = Counts(("x", 7), ("y", 4));

        var first = Get(name).Assign(members, counts);
        var reversed = Get(name).Assign([.. members.Reverse()], counts);

        Assert.Equal(Flatten(first), Flatten(reversed));
    }

    // Intent: range gives each member a contiguous range per topic, the first members one more.
    [Fact]
    public void Range_SevenPartitionsThreeMembers_ContiguousRanges()
    {
        var assignment = Get("range").Assign([Member("c", "t"), Member("a", "t"), Member("b", "t")], Counts(("t", 7)));

        Assert.Equal([0, 1, 2], assignment["a"].Select(p => p.Partition));
        Assert.Equal([3, 4], assignment["b"].Select(p => p.Partition));
        Assert.Equal([5, 6], assignment["c"].Select(p => p.Partition));
    }

    // Intent: across generations (a member joins, then one leaves) sticky moves only the partitions balance requires.
    [Fact]
    public void Sticky_MembersJoinAndLeave_MovesOnlyWhatBalanceRequires()
    {
        var sticky = Get("sticky");
        var counts = Counts(("t", 12));

        // Generation 1: two members, six each.
        var g1 = sticky.Assign([Member("a", "t"), Member("b", "t")], counts);
        Assert.Equal([6, 6], g1.Values.Select(v => v.Count));

        // Generation 2: c joins; a and b each give up two, keep four.
        var g2 = sticky.Assign([Owning("a", g1, 1), Owning("b", g1, 1), Member("c", "t")], counts);
        Assert.All(g2.Values, v => Assert.Equal(4, v.Count));
        Assert.Equal(4, g2["a"].Intersect(g1["a"]).Count());
        Assert.Equal(4, g2["b"].Intersect(g1["b"]).Count());

        // Generation 3: b leaves; a and c keep all they had and split b's four.
        var g3 = sticky.Assign([Owning("a", g2, 2), Owning("c", g2, 2)], counts);
        Assert.All(g3.Values, v => Assert.Equal(6, v.Count));
        Assert.Subset(g3["a"].ToHashSet(), g2["a"].ToHashSet());
        Assert.Subset(g3["c"].ToHashSet(), g2["c"].ToHashSet());
    }

    // Intent: a partition claimed by two members goes to the claim of the newer generation; stale and unknown claims are dropped.
    [Fact]
    public void Sticky_ConflictingOrStaleClaims_NewerGenerationWinsUnknownDropped()
    {
        var t0 = new TopicPartition("t", 0);
        var members = new[]
        {
            new AssignorMember("old", ["t"], [t0, new TopicPartition("t", 9), new TopicPartition("gone", 0)], 3),
            new AssignorMember("new", ["t"], [t0], 4),
        };

        var assignment = Get("sticky").Assign(members, Counts(("t", 2)));

        Assert.Equal([t0], assignment["new"]);
        Assert.Equal([new TopicPartition("t", 1)], assignment["old"]);
    }

    private static readonly Comparer<TopicPartition> Comparer = Comparer<TopicPartition>.Create((x, y) =>
        string.CompareOrdinal(x.Topic, y.Topic) is var t && t != 0 ? t : x.Partition.CompareTo(y.Partition));

    private static AssignorMember Member(string id, params string[] topics) => new(id, [.. topics], []);

    private static AssignorMember Owning(string id, IReadOnlyDictionary<string, List<TopicPartition>> previous, int generation) =>
        new(id, ["t"], [.. previous[id]], generation);

    private static Dictionary<string, int> Counts(params (string Topic, int Partitions)[] counts) => counts.ToDictionary(c => c.Topic, c => c.Partitions);

    private static List<string> Flatten(IReadOnlyDictionary<string, List<TopicPartition>> assignment) =>
        [.. assignment.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}:{string.Join(",", a.Value)}")];
}
