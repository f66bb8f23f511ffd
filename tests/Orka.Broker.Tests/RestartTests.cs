namespace Orka.Broker.Tests;

/// <summary>Clusters of their own: these tests stop silos and whole clusters.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-restart-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    // Intent: (1) a partition whose node is down is unavailable with a retriable error, never moved;
    // (2) after a full cluster restart, topics and records are back, each partition on its node.
    [Fact]
    public async Task Cluster_NodeDownThenFullRestart_PartitionStaysWithItsDataAndRecordsSurvive()
    {
        TopicMetadata metadata;
        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2))
        {
            // 1. Two partitions, one per node, each with records.
            metadata = await cluster.Client.GetGrain<ITopicGrain>("durable").CreateAsync(new TopicSpec("durable", 2));
            Assert.Equal([0, 1], metadata.Leaders().Order());
            for (var p = 0; p < 2; p++)
            {
                await Partition(cluster.Client, p).ProduceAsync(Batches.Of($"p{p}-a", $"p{p}-b"), Acks.All);
            }

            // 2. Node 1 goes down: its partition is unavailable (retriable), node 0's still serves.
            var onNode1 = metadata.Leaders().IndexOf(1);
            await cluster.StopSiloAsync(cluster.SecondarySilos[0]);
            var down = await Assert.ThrowsAsync<OrkaException>(() => Partition(cluster.Client, onNode1).ProduceAsync(Batches.Of("lost?"), Acks.All));
            Assert.Equal(OrkaErrorCode.LeaderNotAvailable, down.Code);
            Assert.True(down.IsRetriable);
            var alive = await Partition(cluster.Client, 1 - onNode1).FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
            Assert.Equal([$"p{1 - onNode1}-a", $"p{1 - onNode1}-b"], Batches.Values(alive.Batches));
            Assert.False(Directory.Exists(Path.Combine(_root, "node-0", $"durable-{onNode1}")), "the partition moved to node 0");
        }

        // 3. A new cluster over the same directories finds the topic and every record.
        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2))
        {
            var again = await cluster.Client.GetGrain<ITopicGrain>("durable").GetMetadataAsync();
            Assert.Equal(metadata.TopicId, again!.TopicId);
            Assert.Equal(metadata.Leaders().ToArray(), again.Leaders().ToArray());
            Assert.Contains("durable", await cluster.Client.GetGrain<IClusterGrain>(0).ListTopicsAsync());
            for (var p = 0; p < 2; p++)
            {
                var fetched = await Partition(cluster.Client, p).FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
                Assert.Equal([$"p{p}-a", $"p{p}-b"], Batches.Values(fetched.Batches));
                var appended = await Partition(cluster.Client, p).ProduceAsync(Batches.Of("after"), Acks.All);
                Assert.Equal(2, appended.BaseOffset);
            }
        }
    }

    // Intent: after a full restart a partition still knows its idempotent producers (rebuilt from the log).
    [Fact]
    public async Task Cluster_FullRestart_RetriedIdempotentBatchStillDeduplicated()
    {
        var batch = Batches.Idempotent(42, 0, 0, "once");
        long offset;
        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 1))
        {
            await cluster.Client.GetGrain<ITopicGrain>("idem").CreateAsync(new TopicSpec("idem", 1));
            offset = (await Partition(cluster.Client, 0, "idem").ProduceAsync(batch, Acks.All)).BaseOffset;
        }

        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 1))
        {
            var retried = await Partition(cluster.Client, 0, "idem").ProduceAsync(batch, Acks.All);
            Assert.Equal(offset, retried.BaseOffset);
            Assert.Equal(1, (await Partition(cluster.Client, 0, "idem").GetOffsetsAsync()).LogEndOffset);
        }
    }

    // Intent: the native producer retries a partition whose node is down and, once it is back,
    // the record is appended exactly once.
    [Fact]
    public async Task Producer_PartitionNodeDown_RetriesUntilBackAndAppendsOnce()
    {
        await using var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2);
        var metadata = await cluster.Client.GetGrain<ITopicGrain>("retried").CreateAsync(new TopicSpec("retried", 2));
        var onNode1 = metadata.Leaders().IndexOf(1);
        var key = Enumerable.Range(0, 1000).Select(i => System.Text.Encoding.UTF8.GetBytes($"key-{i}"))
            .First(k => Orka.Client.Murmur2Partitioner.Partition(k, 2) == onNode1);

        await using var producer = new Orka.Client.OrkaProducer(cluster.Client, new Orka.Client.ProducerOptions { DeliveryTimeout = TimeSpan.FromSeconds(60) });
        await producer.ProduceAsync("retried", key, "warm-up"u8.ToArray()); // metadata and producer id known
        await cluster.StopSiloAsync(cluster.SecondarySilos[0]);

        var delivery = producer.ProduceAsync("retried", key, "while-down"u8.ToArray());
        await using var back = await cluster.StartSiloAsync(1, cluster.Options, [], startSiloOnNewPort: true);
        var result = await delivery.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.Offset);
        var fetched = await Partition(cluster.Client, onNode1, "retried").FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.Equal(["warm-up", "while-down"], Batches.Values(fetched.Batches));
    }

    // Intent: a topic deleted while a node is down loses that node's data once the node is back.
    [Fact]
    public async Task Topic_DeletedWhileNodeDown_NodeDeletesItsDataWhenBack()
    {
        await using var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2);
        var metadata = await cluster.Client.GetGrain<ITopicGrain>("gone").CreateAsync(new TopicSpec("gone", 2));
        for (var p = 0; p < 2; p++)
        {
            await Partition(cluster.Client, p, "gone").ProduceAsync(Batches.Of("x"), Acks.All);
        }

        var onNode1 = metadata.Leaders().IndexOf(1);
        var node1Data = Path.Combine(_root, "node-1", $"gone-{onNode1}");
        var secondary = cluster.SecondarySilos[0];
        await cluster.StopSiloAsync(secondary);
        await cluster.Client.GetGrain<ITopicGrain>("gone").DeleteAsync();
        Assert.False(Directory.Exists(Path.Combine(_root, "node-0", $"gone-{1 - onNode1}")), "node 0 kept its partition");
        Assert.True(Directory.Exists(node1Data), "node 1 was down: its data cannot have been deleted yet");

        // Instance 1 again ("Secondary_1"), so the same node id and data directory, on a new port.
        await using var back = await cluster.StartSiloAsync(1, cluster.Options, [], startSiloOnNewPort: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Directory.Exists(node1Data))
        {
            // Polling a condition with a bound, not a sleep standing in for an event.
            await Task.Delay(50, timeout.Token);
        }
    }

    private static IPartitionGrain Partition(IGrainFactory grains, int p, string topic = "durable") =>
        grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());
}
