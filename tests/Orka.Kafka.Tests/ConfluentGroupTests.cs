using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class ConfluentGroupTests(KafkaClusterFixture cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>A group member on its own thread that records what it receives and its assignments.</summary>
    private sealed class Member : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly IConsumer<string, string> _consumer;

        public Member(ConsumerConfig config, string topic, ConcurrentQueue<(string Member, int Partition, long Offset, string Value)> received, string name)
        {
            Name = name;
            _consumer = new ConsumerBuilder<string, string>(config)
                .SetPartitionsAssignedHandler((_, partitions) => Assignment = [.. partitions.Select(p => p.Partition.Value)])
                .SetPartitionsRevokedHandler((c, _) =>
                {
                    TryCommit(c);
                    Assignment = [];
                })
                .Build();
            _consumer.Subscribe(topic);
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } r)
                        {
                            received.Enqueue((Name, r.Partition.Value, r.Offset.Value, r.Message.Value));
                            _consumer.StoreOffset(r);
                        }
                    }
                    catch (KafkaException)
                    {
                        // Commit failures during a rebalance; the next round commits again.
                    }
                }

                TryCommit(_consumer);
                _consumer.Close(); // LeaveGroup
            }) { IsBackground = true, Name = name };
            _thread.Start();
        }

        public string Name { get; }

        /// <summary>Commits the stored offsets; "nothing stored" and rebalance-time refusals are not failures here.</summary>
        private static void TryCommit(IConsumer<string, string> consumer)
        {
            try
            {
                consumer.Commit();
            }
            catch (KafkaException)
            {
            }
        }

        public volatile int[] Assignment = [];

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _consumer.Dispose();
        }
    }

    private ConsumerConfig GroupConfig(string group) => new(Clients.Consumer(cluster, group))
    {
        EnableAutoCommit = true,
        EnableAutoOffsetStore = false,
        AutoCommitIntervalMs = 200,
    };

    // Intent: two members share a topic (rebalance on join), the survivor takes over when one leaves,
    // every record arrives exactly once in per-partition order, and a new member resumes from the commits.
    [Fact]
    public async Task TwoMemberGroup_RebalancesOnJoinAndLeave_EveryRecordOnceAndCommitsResume()
    {
        var topic = Clients.Topic("group");
        var group = Clients.Topic("g");
        using (var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        }

        using var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build();
        async Task ProduceAsync(int from, int count)
        {
            var sends = Enumerable.Range(from, count).Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"{i}" })).ToList();
            producer.Flush(Patience);
            await Task.WhenAll(sends);
        }

        var received = new ConcurrentQueue<(string Member, int Partition, long Offset, string Value)>();
        await ProduceAsync(0, 500);
        var a = new Member(GroupConfig(group), topic, received, "a");
        await Eventually.HoldsAsync(() => Task.FromResult(a.Assignment.Length == 4), Patience, "the first member to get all 4 partitions");
        await Eventually.HoldsAsync(() => Task.FromResult(received.Count >= 500), Patience, "the first member to read the first 500 records");

        using (var b = new Member(GroupConfig(group), topic, received, "b"))
        {
            await Eventually.HoldsAsync(() => Task.FromResult(a.Assignment.Length == 2 && b.Assignment.Length == 2), Patience,
                "a rebalance that gives each member 2 partitions");
            await ProduceAsync(500, 500);
            await Eventually.HoldsAsync(() => Task.FromResult(received.Count >= 1000), Patience, "both members to read the next 500 records");
            Assert.Contains(received, r => r.Member == "b");

            a.Dispose(); // leaves the group
            await Eventually.HoldsAsync(() => Task.FromResult(b.Assignment.Length == 4), Patience, "the remaining member to take all 4 partitions");
            await ProduceAsync(1000, 500);
            await Eventually.HoldsAsync(() => Task.FromResult(received.Count >= 1500), Patience, "the remaining member to read the last 500 records");
        }

        var values = received.Select(r => int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 1500), values.Order());
        foreach (var partition in received.GroupBy(r => r.Partition))
        {
            var offsets = partition.Select(r => r.Offset).ToList();
            Assert.Equal(offsets.Order(), offsets);
        }

        // The commits are in the group grain (as for native clients) and a new member resumes from them.
        var committed = await cluster.Grains.GetGrain<IConsumerGroupGrain>(group).GetCommittedAsync(topic);
        Assert.Equal(1500, committed.Sum(c => c.Offset));
        await ProduceAsync(1500, 20);
        var resumed = new ConcurrentQueue<(string Member, int Partition, long Offset, string Value)>();
        using (var c = new Member(GroupConfig(group), topic, resumed, "c"))
        {
            await Eventually.HoldsAsync(() => Task.FromResult(resumed.Count >= 20), Patience, "a restarted member to read the 20 new records");
        }

        Assert.Equal(Enumerable.Range(1500, 20), resumed.Select(r => int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture)).Order());
    }

    // Intent: a Kafka admin lists, describes and deletes a Kafka consumer's group, which lives in the same grain the CLI reads (lag included).
    [Fact]
    public async Task AdminClient_ListDescribeDeleteGroups_SeesKafkaConsumerGroup()
    {
        var topic = Clients.Topic("gadmin");
        var group = Clients.Topic("ga");
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }

            producer.Flush(Patience);
        }

        var received = new ConcurrentQueue<(string Member, int Partition, long Offset, string Value)>();
        using (var member = new Member(GroupConfig(group), topic, received, "m"))
        {
            await Eventually.HoldsAsync(() => Task.FromResult(received.Count == 10 && member.Assignment.Length == 2), Patience, "the member to read all 10 records");
            var listed = await admin.ListConsumerGroupsAsync();
            Assert.Contains(listed.Valid, g => g.GroupId == group && g.State == ConsumerGroupState.Stable);

            var described = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupState.Stable, described.State);
            var only = Assert.Single(described.Members);
            Assert.Equal([0, 1], only.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order());

            var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([group]));
            Assert.Equal(ErrorCode.NonEmptyGroup, refused.Results.Single().Error.Code);
        }

        // The member committed everything when it left: lag 0 as the CLI and gateway show it.
        var lag = await cluster.Grains.GetGrain<IConsumerGroupGrain>(group).GetLagAsync();
        Assert.Equal(2, lag.Length);
        Assert.All(lag, l => Assert.Equal(0, l.Lag));

        await admin.DeleteGroupsAsync([group]);
        Assert.Empty(await cluster.Grains.GetGrain<IConsumerGroupGrain>(group).GetCommittedAsync());
        var missing = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([group]));
        Assert.Equal(ErrorCode.GroupIdNotFound, missing.Results.Single().Error.Code);
    }
}
