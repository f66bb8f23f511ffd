using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orka.Broker.Telemetry;
using Orka.Client;

namespace Orka.Broker.Tests;

/// <summary>
/// The native consumer in a group on a real two-silo cluster: server-side assignment, rebalances
/// when members leave or go silent, at-least-once delivery with commits after processing.
/// </summary>
[Collection(nameof(ClusterCollection))]
public sealed class NativeConsumerGroupTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Session = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(200);

    // Intent: three members split six partitions, one owner per partition per generation; a member that
    // leaves and one that goes silent hand theirs over within the timeouts; with commits after
    // processing every record is delivered and none is skipped.
    [Fact]
    public async Task Group_ThreeConsumersOneLeavesOneFreezes_PartitionsMoveEveryRecordDeliveredNoneSkipped()
    {
        var topic = $"native-{Guid.NewGuid():N}";
        var groupId = $"native-group-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 6));
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>(groupId);
        var delivered = new ConcurrentDictionary<(int Partition, long Offset), int>();
        var assignments = new ConcurrentBag<(string Member, int Generation, TopicPartition[] Partitions)>();
        var produced = new long[6];

        var members = Enumerable.Range(1, 3).Select(i => new Member($"c{i}", NewConsumer(groupId, $"c{i}"))).ToList();
        foreach (var m in members)
        {
            m.Consumer.Subscribe(topic);
            m.Consumer.PartitionsAssigned = partitions =>
            {
                assignments.Add((m.Name, m.Consumer.GenerationId, [.. partitions]));
                return Task.CompletedTask;
            };
            m.Loop = ConsumeAndCommitAsync(m, delivered);
        }

        // 1. One generation with all three, each partition owned once.
        await UntilStableAsync(group, members: 3, topic);
        await ProduceAsync(topic, produced, perPartition: 20, "first");
        await UntilAsync(() => AllDelivered(delivered, produced), "the first records to be delivered");

        // 2. c1 leaves: its partitions move as soon as the others rejoin.
        var left = Stopwatch.StartNew();
        await members[0].StopAsync(dispose: true);
        await UntilStableAsync(group, members: 2, topic);
        Assert.True(left.Elapsed < MaxPoll + TimeSpan.FromSeconds(2), $"rebalance after a leave took {left.Elapsed}");
        await ProduceAsync(topic, produced, perPartition: 20, "second");
        await UntilAsync(() => AllDelivered(delivered, produced), "the second records to be delivered");

        // 3. c2 stops heartbeating (and processing): removed after its session timeout, c3 takes everything.
        var frozen = Stopwatch.StartNew();
        members[1].Consumer.FreezeHeartbeat();
        await members[1].StopAsync(dispose: false);
        var last = await UntilStableAsync(group, members: 1, topic);
        // The group's session clock runs from the member's last heartbeat, which may precede the
        // freeze by up to one heartbeat interval: that is the earliest the member may be dropped.
        Assert.True(frozen.Elapsed >= Session - Heartbeat, $"the silent member was dropped after {frozen.Elapsed}, before its session timeout");
        Assert.True(frozen.Elapsed < Session + MaxPoll + TimeSpan.FromSeconds(2), $"the silent member's partitions took {frozen.Elapsed} to move");
        var survivor = Assert.Single(last.Members).MemberId;
        await UntilAsync(() => Task.FromResult(members[2].Consumer.MemberId == survivor), "c3 to be the one member left");
        await ProduceAsync(topic, produced, perPartition: 20, "third");
        await UntilAsync(() => AllDelivered(delivered, produced), "the third records to be delivered");
        await UntilAsync(async () => (await group.GetCommittedAsync()).Sum(c => c.Offset) == produced.Sum(), "c3 to commit everything");

        // Every offset of every partition was delivered (none skipped); commits reached the log end.
        for (var p = 0; p < 6; p++)
        {
            Assert.Equal(Enumerable.Range(0, (int)produced[p]).Select(o => (long)o), delivered.Keys.Where(k => k.Partition == p).Select(k => k.Offset).Order());
        }

        Assert.Equal(produced, (await group.GetCommittedAsync()).OrderBy(c => c.Partition.Partition).Select(c => c.Offset));

        // Sticky: when c1 left, c2 and c3 kept every partition they had.
        var byGeneration = assignments.GroupBy(a => a.Generation).OrderBy(g => g.Key).ToList();
        var ofThree = byGeneration.First(g => g.Count() == 3).ToDictionary(a => a.Member, a => a.Partitions);
        var ofTwo = byGeneration.First(g => g.Count() == 2 && g.All(a => a.Member != "c1")).ToDictionary(a => a.Member, a => a.Partitions);
        Assert.Subset(ofTwo["c2"].ToHashSet(), ofThree["c2"].ToHashSet());
        Assert.Subset(ofTwo["c3"].ToHashSet(), ofThree["c3"].ToHashSet());

        // Per generation, no partition was handed to two members.
        foreach (var generation in assignments.GroupBy(a => a.Generation))
        {
            var owned = generation.SelectMany(a => a.Partitions).ToList();
            Assert.True(owned.Count == owned.Distinct().Count(), $"generation {generation.Key} assigned a partition twice: {string.Join(" ", generation.Select(a => $"{a.Member}=[{string.Join(",", a.Partitions)}]"))}");
        }

        await members[2].StopAsync(dispose: true);
        await members[1].Consumer.DisposeAsync();
        await UntilAsync(async () => (await group.DescribeAsync()).State == GroupState.Empty, "the group to be empty");
    }

    // Intent: with auto-commit, a revocation commits what was processed before the partitions move;
    // afterwards the consumer delivers only its new partitions and the newcomer re-reads nothing.
    [Fact]
    public async Task Group_AutoCommitThenRebalance_RevocationCommitsFirstAndStopsRevokedPartitions()
    {
        var topic = $"native-revoke-{Guid.NewGuid():N}";
        var groupId = $"native-revoke-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 4));
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>(groupId);
        var produced = new long[4];
        await ProduceAsync(topic, produced, perPartition: 3, "old");

        // An interval longer than the test: only the revocation (and the end) commit.
        var options = new ConsumerOptions
        {
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            AutoCommitInterval = TimeSpan.FromMinutes(10),
            SessionTimeout = Session,
            HeartbeatInterval = Heartbeat,
            MaxPollInterval = MaxPoll,
            MaxFetchWait = TimeSpan.FromMilliseconds(200),
        };
        var first = new Member("first", new OrkaConsumer(fixture.Cluster.Client, options with { ClientId = "first" }));
        var second = new Member("second", new OrkaConsumer(fixture.Cluster.Client, options with { ClientId = "second" }));
        var deliveries = new ConcurrentQueue<(string Member, TopicPartition Partition, long Offset, int Generation)>();
        var committedAtRevocation = new List<CommittedOffset>();
        var revokedCount = 0;
        first.Consumer.PartitionsRevoked = async revoked =>
        {
            committedAtRevocation.AddRange(await group.GetCommittedAsync());
            revokedCount = revoked.Count;
        };

        foreach (var m in new[] { first, second })
        {
            m.Consumer.Subscribe(topic);
        }

        first.Loop = ReadAllAsync(first, deliveries);
        await UntilAsync(() => Task.FromResult(deliveries.Count == 12), "the first member to read the twelve old records");

        second.Loop = ReadAllAsync(second, deliveries);
        var description = await UntilStableAsync(group, members: 2, topic, partitions: 4);
        await ProduceAsync(topic, produced, perPartition: 3, "new");
        await UntilAsync(() => Task.FromResult(deliveries.Count == 24), "the new records to be delivered");

        // The revocation came after the auto-commit of all twelve (the app had moved past them).
        Assert.Equal(4, revokedCount);
        Assert.Equal([3L, 3, 3, 3], committedAtRevocation.OrderBy(c => c.Partition.Partition).Select(c => c.Offset));

        // After the rebalance each member read only the partitions of its new assignment, and nothing twice.
        var generation = description.GenerationId;
        var owners = description.Members.ToDictionary(
            m => m.MemberId,
            m => ConsumerProtocolCodec.TryDecodeAssignment(m.Assignment.Span, out var a) ? a.ToHashSet() : []);
        var late = deliveries.Skip(12).ToList();
        Assert.All(late, d => Assert.Contains(d.Partition, owners[d.Member == "first" ? first.Consumer.MemberId : second.Consumer.MemberId]));
        Assert.All(late, d => Assert.Equal(generation, d.Generation));
        Assert.Equal(24, deliveries.Select(d => (d.Partition, d.Offset)).Distinct().Count());

        await first.StopAsync(dispose: true);
        await second.StopAsync(dispose: true);
    }

    // Intent: a native join naming an unknown assignor, carrying unreadable metadata or mixing protocol
    // types is refused with a specific code and the group gains no member.
    [Fact]
    public async Task Group_BadNativeJoins_RefusedAndGroupUnchanged()
    {
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>($"native-bad-{Guid.NewGuid():N}");
        var subscription = ConsumerProtocolCodec.EncodeSubscription(new ConsumerSubscription(["t"], []));
        JoinGroupRequest Join(string type, string protocol, byte[] metadata) =>
            new("", "bad", type, [new GroupProtocol(protocol, metadata)], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

        var cases = new (JoinGroupRequest Join, OrkaErrorCode Code)[]
        {
            (Join("orka", "fastest", subscription), OrkaErrorCode.InconsistentGroupProtocol),
            (Join("orka", "sticky", [1, 2, 3]), OrkaErrorCode.InvalidRequest),
            (Join("orka", "sticky", ConsumerProtocolCodec.EncodeSubscription(new ConsumerSubscription(["bad/topic"], []))), OrkaErrorCode.InvalidTopic),
        };
        foreach (var (join, code) in cases)
        {
            Assert.Equal(code, (await Assert.ThrowsAsync<OrkaException>(() => group.JoinAsync(join))).Code);
        }

        Assert.Equal(GroupState.Dead, (await group.DescribeAsync()).State);

        // A native member in the group: a Kafka-protocol member cannot join it.
        await using var consumer = NewConsumer(group.GetPrimaryKeyString(), "native");
        consumer.Subscribe("t");
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in consumer.ConsumeAsync(stop.Token))
            {
            }
        });
        await UntilAsync(async () => (await group.DescribeAsync()).State == GroupState.Stable, "the native member to join");
        var kafka = await Assert.ThrowsAsync<OrkaException>(() => group.JoinAsync(Join("consumer", "range", subscription)));
        Assert.Equal(OrkaErrorCode.InconsistentGroupProtocol, kafka.Code);
        Assert.Single((await group.DescribeAsync()).Members);
        await stop.CancelAsync();
        await reading.WaitAsync(Bound);
    }

    // Intent: when a subscribed topic grows, the member notices within the metadata age and reads the new partitions.
    [Fact]
    public async Task Group_TopicGrows_MemberRejoinsAndReadsNewPartitions()
    {
        var topic = $"native-grow-{Guid.NewGuid():N}";
        var groupId = $"native-grow-{Guid.NewGuid():N}";
        var topicGrain = fixture.Grains.GetGrain<ITopicGrain>(topic);
        await topicGrain.CreateAsync(new TopicSpec(topic, 1));
        await using var consumer = new OrkaConsumer(fixture.Cluster.Client, new ConsumerOptions
        {
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeout = Session,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            MaxPollInterval = MaxPoll,
            MaxFetchWait = TimeSpan.FromMilliseconds(200),
            MetadataMaxAge = TimeSpan.FromMilliseconds(300),
        });
        consumer.Subscribe(topic);
        var seen = new ConcurrentQueue<int>();
        using var stop = new CancellationTokenSource(Bound);
        var reading = Task.Run(async () =>
        {
            await foreach (var record in consumer.ConsumeAsync(stop.Token))
            {
                seen.Enqueue(record.Partition.Partition);
            }
        });

        await ProduceAsync(topic, new long[1], perPartition: 1, "before");
        await UntilAsync(() => Task.FromResult(seen.Count == 1), "the record of partition 0");
        await topicGrain.AddPartitionsAsync(3);
        await ProduceAsync(topic, new long[3], perPartition: 1, "after");

        await UntilAsync(() => Task.FromResult(seen.Count == 4), "the records of the new partitions");
        Assert.Equal([0, 0, 1, 2], seen.Order());
        Assert.Equal(3, consumer.Assignment.Count);
        await stop.CancelAsync();
        await reading;
    }

    // Intent: lag reported for a native group equals produced minus committed, per partition.
    [Fact]
    public async Task Group_NativeConsumerCommitsPart_LagEqualsProducedMinusCommitted()
    {
        var topic = $"native-lag-{Guid.NewGuid():N}";
        var groupId = $"native-lag-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 3));
        var produced = new long[3];
        await ProduceAsync(topic, produced, perPartition: 10, "r");

        await using var consumer = NewConsumer(groupId, "lagging");
        consumer.Subscribe(topic);
        var seen = 0;
        using var stop = new CancellationTokenSource(Bound);
        await foreach (var record in consumer.ConsumeAsync(stop.Token))
        {
            // Process and commit only the first four of each partition.
            if (record.Offset < 4)
            {
                await consumer.CommitAsync([new CommittedOffset(record.Partition, record.Offset + 1, "processed")]);
            }

            if (++seen == 30)
            {
                break;
            }
        }

        var lag = await fixture.Grains.GetGrain<IConsumerGroupGrain>(groupId).GetLagAsync();

        Assert.Equal(3, lag.Length);
        Assert.All(lag, l => Assert.Equal((4L, 10L, 6L, consumer.MemberId), (l.CommittedOffset, l.LogEndOffset, l.Lag, l.MemberId)));
        Assert.All(await fixture.Grains.GetGrain<IConsumerGroupGrain>(groupId).GetCommittedAsync(), c => Assert.Equal("processed", c.Metadata));

        // The orka.consumer.lag gauge reports the same figures, per partition.
        var gauge = new ConcurrentDictionary<(string Topic, int Partition), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GroupLagMetrics.MeterName && instrument.Name == GroupLagMetrics.LagInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(k => k.Key, k => k.Value);
            if ((string?)t["group"] == groupId)
            {
                gauge[((string)t["topic"]!, (int)t["partition"]!)] = value;
            }
        });
        listener.Start();
        await UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(gauge.Count == 3 && gauge.Values.All(v => v == 6));
        }, "the lag gauge to report 6 for each partition");
        Assert.Equal([0, 1, 2], gauge.Keys.Select(k => k.Partition).Order());
    }

    // Intent: without a group, assigned partitions can be paused, resumed and rewound with seek.
    [Fact]
    public async Task Consumer_AssignPauseResumeSeek_DeliversAccordingly()
    {
        var topic = $"native-assign-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 2));
        var produced = new long[2];
        await ProduceAsync(topic, produced, perPartition: 3, "v");
        var (p0, p1) = (new TopicPartition(topic, 0), new TopicPartition(topic, 1));

        await using var consumer = new OrkaConsumer(fixture.Cluster.Client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest, MaxFetchWait = TimeSpan.FromMilliseconds(100) });
        consumer.Assign([p0, p1]);
        consumer.Pause(p1);
        var got = new List<(int Partition, long Offset)>();
        using var stop = new CancellationTokenSource(Bound);
        await foreach (var record in consumer.ConsumeAsync(stop.Token))
        {
            got.Add((record.Partition.Partition, record.Offset));
            if (got.Count == 3)
            {
                // Only p0 so far; now read p1 and go back to the start of p0.
                Assert.All(got, g => Assert.Equal(0, g.Partition));
                Assert.Equal(3, consumer.Position(p0));
                consumer.Resume(p1);
                consumer.Seek(p0, 1);
            }

            if (got.Count == 8)
            {
                break;
            }
        }

        Assert.Equal([0L, 1, 2, 1, 2], got.Where(g => g.Partition == 0).Select(g => g.Offset));
        Assert.Equal([0L, 1, 2], got.Where(g => g.Partition == 1).Select(g => g.Offset));
        Assert.Empty(consumer.Paused);
    }

    // Intent: with one batch per fetch (so a prefetch is always under way behind the buffer), a seek and a
    // pause in the middle of a buffer drop the stale prefetch: every partition continues at exactly the
    // right offset, nothing skipped, nothing repeated except what the seek asked for.
    [Fact]
    public async Task Consumer_SeekAndPauseWhilePrefetching_ContinuesAtExactOffsets()
    {
        var topic = $"native-prefetch-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 2));
        var produced = new long[2];
        for (var batch = 0; batch < 10; batch++)
        {
            await ProduceAsync(topic, produced, perPartition: 10, $"b{batch}");
        }

        var (p0, p1) = (new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        await using var consumer = new OrkaConsumer(fixture.Cluster.Client, new ConsumerOptions
        {
            AutoOffsetReset = AutoOffsetReset.Earliest,
            MaxFetchBytes = 1, // at least one whole batch: exactly one batch of 10 records per fetch
            MaxFetchWait = TimeSpan.FromMilliseconds(100),
        });
        consumer.Assign([p0, p1]);
        var got = new List<(int Partition, long Offset)>();
        var (sought, pausedAt, resumed) = (false, -1, false);
        using var stop = new CancellationTokenSource(Bound);
        await foreach (var record in consumer.ConsumeAsync(stop.Token))
        {
            got.Add((record.Partition.Partition, record.Offset));
            if (!sought && record.Partition == p0 && record.Offset == 14)
            {
                consumer.Seek(p0, 5);
                consumer.Pause(p0);
                (sought, pausedAt) = (true, got.Count);
            }
            else if (sought && !resumed && got.Skip(pausedAt).Count(g => g.Partition == 1) == 30)
            {
                Assert.DoesNotContain(got.Skip(pausedAt), g => g.Partition == 0);
                consumer.Resume(p0);
                resumed = true;
            }

            if (got.Count(g => g.Partition == 0) == 15 + 95 && got.Count(g => g.Partition == 1) == 100)
            {
                break;
            }
        }

        Assert.True(resumed, "the pause never ended: p1 did not deliver 30 records while p0 was paused");
        Assert.Equal(Enumerable.Range(0, 15).Concat(Enumerable.Range(5, 95)).Select(o => (long)o), got.Where(g => g.Partition == 0).Select(g => g.Offset));
        Assert.Equal(Enumerable.Range(0, 100).Select(o => (long)o), got.Where(g => g.Partition == 1).Select(g => g.Offset));
        Assert.Equal(100, consumer.Position(p0));
    }

    private OrkaConsumer NewConsumer(string groupId, string clientId) => new(fixture.Cluster.Client, new ConsumerOptions
    {
        GroupId = groupId,
        ClientId = clientId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeout = Session,
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        MaxPollInterval = MaxPoll,
        MaxFetchWait = TimeSpan.FromMilliseconds(200),
    });

    /// <summary>Reads until stopped, noting who got which record in which generation (auto-commit does the committing).</summary>
    private static async Task ReadAllAsync(Member member, ConcurrentQueue<(string Member, TopicPartition Partition, long Offset, int Generation)> deliveries)
    {
        await foreach (var record in member.Consumer.ConsumeAsync(member.Stop.Token))
        {
            deliveries.Enqueue((member.Name, record.Partition, record.Offset, member.Consumer.GenerationId));
        }
    }

    /// <summary>Reads until stopped, committing after each record as an application that processed it would.</summary>
    private static async Task ConsumeAndCommitAsync(Member member, ConcurrentDictionary<(int Partition, long Offset), int> delivered)
    {
        await foreach (var record in member.Consumer.ConsumeAsync(member.Stop.Token))
        {
            delivered.AddOrUpdate((record.Partition.Partition, record.Offset), 1, (_, n) => n + 1);
            try
            {
                await member.Consumer.CommitAsync();
            }
            catch (OrkaException e) when (e.Code is OrkaErrorCode.RebalanceInProgress or OrkaErrorCode.IllegalGeneration or OrkaErrorCode.UnknownMemberId)
            {
                // A rebalance is under way: the record will be delivered again from the last commit.
            }
        }
    }

    private async Task ProduceAsync(string topic, long[] produced, int perPartition, string prefix)
    {
        for (var p = 0; p < produced.Length; p++)
        {
            var values = Enumerable.Range(0, perPartition).Select(i => $"{prefix}-{p}-{i}").ToArray();
            await fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey()).ProduceAsync(Batches.Of(values), Acks.All);
            produced[p] += perPartition;
        }
    }

    private static Task<bool> AllDelivered(ConcurrentDictionary<(int Partition, long Offset), int> delivered, long[] produced) =>
        Task.FromResult(Enumerable.Range(0, produced.Length).All(p => Enumerable.Range(0, (int)produced[p]).All(o => delivered.ContainsKey((p, o)))));

    /// <summary>Awaits a Stable generation of <paramref name="members"/> members that covers every partition exactly once.</summary>
    private static async Task<GroupDescription> UntilStableAsync(IConsumerGroupGrain group, int members, string topic, int partitions = 6)
    {
        GroupDescription? description = null;
        await UntilAsync(async () =>
        {
            description = await group.DescribeAsync();
            if (description.State != GroupState.Stable || description.Members.Length != members)
            {
                return false;
            }

            var owned = description.Members.SelectMany(m => ConsumerProtocolCodec.TryDecodeAssignment(m.Assignment.Span, out var a) ? a : []).ToList();
            Assert.Equal(owned.Count, owned.Distinct().Count());
            Assert.All(description.Members, m => Assert.Equal("orka", description.ProtocolType));
            return owned.Count == partitions && owned.All(tp => tp.Topic == topic);
        }, $"a stable generation of {members} members owning all {partitions} partitions");
        Assert.Equal("sticky", description!.ProtocolName);
        return description;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string awaited)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > Bound)
            {
                Assert.Fail($"Timed out after {Bound} waiting for {awaited}.");
            }

            // Polling a condition with a bound, not a sleep standing in for an event.
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private sealed class Member(string name, OrkaConsumer consumer)
    {
        public string Name { get; } = name;

        public OrkaConsumer Consumer { get; } = consumer;

        public CancellationTokenSource Stop { get; } = new();

        public Task Loop { get; set; } = Task.CompletedTask;

        public async Task StopAsync(bool dispose)
        {
            await Stop.CancelAsync();
            await Loop.WaitAsync(Bound);
            if (dispose)
            {
                await Consumer.DisposeAsync();
            }
        }
    }
}
