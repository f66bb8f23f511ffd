using System.Diagnostics;
using Orka.Client;

namespace Orka.Broker.Tests;

/// <summary>Consumer groups across restarts and with time passing: clusters of their own.</summary>
public sealed class GroupRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("orka-groups-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    // Intent: committed offsets (with metadata) and the generation count survive a restart of the whole
    // cluster; a consumer of the group resumes after them and gets a newer generation.
    [Fact]
    public async Task Group_FullClusterRestart_OffsetsWithMetadataSurviveConsumerResumes()
    {
        const string topic = "restarted";
        const string groupId = "restarted-group";
        int generation;
        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2))
        {
            await cluster.Client.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 4));
            await ProduceAsync(cluster.Client, topic, "before");

            await using var consumer = NewConsumer(cluster.Client, groupId);
            consumer.Subscribe(topic);
            await ReadAsync(consumer, 20, record => Assert.StartsWith("before", Value(record), StringComparison.Ordinal));
            await consumer.CommitAsync(consumer.Positions.Select(p => new CommittedOffset(p.Key, p.Value, $"checkpoint-{p.Key.Partition}")));
            generation = consumer.GenerationId;
        }

        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2))
        {
            var group = cluster.Client.GetGrain<IConsumerGroupGrain>(groupId);
            var committed = await group.GetCommittedAsync();
            Assert.Equal(
                Enumerable.Range(0, 4).Select(p => new CommittedOffset(new TopicPartition(topic, p), 5, $"checkpoint-{p}")),
                committed.ToArray());
            Assert.Contains(groupId, (await new OrkaAdmin(cluster.Client).ListGroupsAsync()).Select(g => g.GroupId));

            await ProduceAsync(cluster.Client, topic, "after");
            await using var consumer = NewConsumer(cluster.Client, groupId);
            consumer.Subscribe(topic);
            await ReadAsync(consumer, 20, record => Assert.StartsWith("after", Value(record), StringComparison.Ordinal));
            Assert.True(consumer.GenerationId > generation, $"generation {consumer.GenerationId} after a restart, {generation} before");
            Assert.All(await group.GetLagAsync(), l => Assert.Equal((5L, 10L, 5L), (l.CommittedOffset, l.LogEndOffset, l.Lag)));
        }
    }

    // Intent: an empty group's offsets expire the retention after the later of their commit and the
    // group becoming empty; then the group is gone from the list. Offsets of a group with members stay.
    [Fact]
    public async Task Group_EmptyPastRetention_OffsetsExpireAndGroupDisappears()
    {
        var configuration = new Dictionary<string, string>
        {
            [ClusterFixture.ShiftedTimeKey] = "on",
            ["Orka:Groups:OffsetsRetention"] = "01:00:00",
            ["Orka:Groups:OffsetsRetentionCheckInterval"] = "00:00:00.200",
        };
        await using var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 1, configuration);
        var clock = ClusterFixture.TimeOf(cluster.Primary!);
        var group = cluster.Client.GetGrain<IConsumerGroupGrain>("expiring");
        await cluster.Client.GetGrain<ITopicGrain>("t").CreateAsync(new TopicSpec("t", 2)); // offsets are committed only for partitions that exist
        var (a, b) = (new TopicPartition("t", 0), new TopicPartition("t", 1));

        // t = 0: a simple commit. t = 30 min: a member joins and commits b; at t = 70 min, past the
        // retention of a, it is still there (the group has a member), and the member leaves.
        await group.CommitAsync([new CommittedOffset(a, 1)]);
        clock.Advance(TimeSpan.FromMinutes(30));
        var member = await JoinAsync(group);
        await group.CommitAsync(member.GenerationId, member.MemberId, [new CommittedOffset(b, 2)]);
        clock.Advance(TimeSpan.FromMinutes(40));
        await group.HeartbeatAsync(member.GenerationId, member.MemberId);
        Assert.Equal(2, (await group.GetCommittedAsync()).Length);
        await group.LeaveAsync(member.MemberId);
        Assert.Equal(2, (await group.GetCommittedAsync()).Length);

        // t = 125 min: 55 min after the group emptied: both offsets stay (a grain activation checks at once).
        clock.Advance(TimeSpan.FromMinutes(55));
        await ForceDeactivationAsync(cluster);
        Assert.Equal([a, b], (await group.GetCommittedAsync()).Select(c => c.Partition));

        // t = 131 min: past the retention; the timer of the active grain deletes both.
        clock.Advance(TimeSpan.FromMinutes(6));
        var waited = Stopwatch.StartNew();
        while ((await group.GetCommittedAsync()).Length > 0)
        {
            Assert.True(waited.Elapsed < Bound, "the offsets did not expire");
            await Task.Delay(TimeSpan.FromMilliseconds(50)); // polling a condition with a bound
        }

        Assert.Equal(GroupState.Dead, (await group.DescribeAsync()).State);
        Assert.DoesNotContain("expiring", (await new OrkaAdmin(cluster.Client).ListGroupsAsync()).Select(g => g.GroupId));
    }

    /// <summary>Deactivates idle grains, so the next call to the group runs its activation (and expiry check).</summary>
    private static async Task ForceDeactivationAsync(Orleans.TestingHost.TestCluster cluster) =>
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private static async Task<JoinGroupResult> JoinAsync(IConsumerGroupGrain group)
    {
        JoinGroupRequest Join(string id) => new(id, "expiry-test", "consumer", [new GroupProtocol("range", Array.Empty<byte>())], TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(500));
        var id = (await group.JoinAsync(Join(""))).MemberId;
        var joined = await group.JoinAsync(Join(id)).WaitAsync(Bound);
        await group.SyncAsync(new SyncGroupRequest(joined.GenerationId, id, [])).WaitAsync(Bound);
        return joined;
    }

    private static OrkaConsumer NewConsumer(IClusterClient client, string groupId) => new(client, new ConsumerOptions
    {
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeout = TimeSpan.FromSeconds(5),
        HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        MaxPollInterval = TimeSpan.FromSeconds(2),
        MaxFetchWait = TimeSpan.FromMilliseconds(200),
    });

    private static async Task ReadAsync(OrkaConsumer consumer, int count, Action<Client.ConsumeResult> check)
    {
        using var stop = new CancellationTokenSource(Bound);
        var read = 0;
        await foreach (var record in consumer.ConsumeAsync(stop.Token))
        {
            check(record);
            if (++read == count)
            {
                return;
            }
        }

        Assert.Fail($"Read {read} of {count} records within {Bound}.");
    }

    private static async Task ProduceAsync(IClusterClient client, string topic, string prefix)
    {
        for (var p = 0; p < 4; p++)
        {
            await client.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey())
                .ProduceAsync(Batches.Of([.. Enumerable.Range(0, 5).Select(i => $"{prefix}-{p}-{i}")]), Acks.All);
        }
    }

    private static string Value(Client.ConsumeResult record) => System.Text.Encoding.UTF8.GetString(record.Value!.Value.Span);
}
