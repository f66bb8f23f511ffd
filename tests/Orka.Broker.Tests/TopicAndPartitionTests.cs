using System.Collections.Immutable;
using Orka.Client;

namespace Orka.Broker.Tests;

[CollectionDefinition(nameof(ClusterCollection))]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;

[Collection(nameof(ClusterCollection))]
public sealed class TopicAndPartitionTests(ClusterFixture fixture)
{
    private ITopicGrain Topic(string name) => fixture.Grains.GetGrain<ITopicGrain>(name);

    private IPartitionGrain Partition(string topic, int p) => fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());

    // Intent: partitions are spread over both nodes and each one's log lives only in its node's directory.
    [Fact]
    public async Task Partition_Produce_DataLandsInAssignedNodesDirectoryOnly()
    {
        var metadata = await Topic("placed").CreateAsync(new TopicSpec("placed", 4));
        Assert.Equal([0, 1], metadata.Leaders().Distinct().Order());

        for (var p = 0; p < 4; p++)
        {
            await Partition("placed", p).ProduceAsync(Batches.Of($"p{p}"), Acks.All);
        }

        for (var p = 0; p < 4; p++)
        {
            var node = metadata.Leaders()[p];
            Assert.True(Directory.Exists(Path.Combine(fixture.NodeDirectory(node), $"placed-{p}")), $"partition {p} missing on node {node}");
            Assert.False(Directory.Exists(Path.Combine(fixture.NodeDirectory(1 - node), $"placed-{p}")), $"partition {p} also on node {1 - node}");
        }

        var description = await Topic("placed").DescribeAsync();
        Assert.All(description.Partitions, p => Assert.Equal((0, 1), (p.LogStartOffset, p.LogEndOffset)));
        Assert.Equal(metadata.Leaders(), description.Partitions.Select(p => p.NodeId));
    }

    // Intent: batches appended to a partition come back in order with consecutive offsets.
    [Fact]
    public async Task Partition_ProduceThenFetch_ReturnsRecordsInOrder()
    {
        await Topic("ordered").CreateAsync(new TopicSpec("ordered", 1));
        var first = await Partition("ordered", 0).ProduceAsync(Batches.Of("a", "b"), Acks.Leader);
        var second = await Partition("ordered", 0).ProduceAsync(Batches.Of("c"), Acks.All);
        Assert.Equal((0, 1), (first.BaseOffset, first.LastOffset));
        Assert.Equal((2, 2), (second.BaseOffset, second.LastOffset));

        var fetched = await Partition("ordered", 0).FetchAsync(new FetchRequest(0, 1 << 20, 1, TimeSpan.Zero));
        Assert.Equal(["a", "b", "c"], Batches.Values(fetched.Batches));
        Assert.Equal(3, fetched.HighWatermark);
    }

    // Intent: a fetch at the end of the log waits for the next produce instead of returning empty.
    [Fact]
    public async Task Partition_FetchAtEnd_WaitsForNextProduce()
    {
        await Topic("polled").CreateAsync(new TopicSpec("polled", 1));
        var fetch = Partition("polled", 0).FetchAsync(new FetchRequest(0, 1 << 20, 1, TimeSpan.FromSeconds(8)));
        await Partition("polled", 0).ProduceAsync(Batches.Of("late"), Acks.Leader);
        var result = await fetch.WaitAsync(TimeSpan.FromSeconds(8));
        Assert.Equal(["late"], Batches.Values(result.Batches));
    }

    // Intent: bad names and counts, duplicates and missing topics each fail with their own code and change nothing.
    [Theory]
    [InlineData("bad/name")]
    [InlineData("..")]
    [InlineData("has space")]
    public async Task Topic_CreateWithInvalidName_FailsWithInvalidTopic(string name)
    {
        var e = await Assert.ThrowsAsync<OrkaException>(() => Topic(name).CreateAsync(new TopicSpec(name, 1)));
        Assert.Equal(OrkaErrorCode.InvalidTopic, e.Code);
        Assert.DoesNotContain(name, await fixture.Grains.GetGrain<IClusterGrain>(0).ListTopicsAsync());
    }

    [Fact]
    public async Task Topic_BadPartitionCountOrDuplicate_FailsAndChangesNothing()
    {
        var zero = await Assert.ThrowsAsync<OrkaException>(() => Topic("zero").CreateAsync(new TopicSpec("zero", 0)));
        Assert.Equal(OrkaErrorCode.InvalidPartitions, zero.Code);
        Assert.Null(await Topic("zero").GetMetadataAsync());

        var original = await Topic("twice").CreateAsync(new TopicSpec("twice", 2));
        var duplicate = await Assert.ThrowsAsync<OrkaException>(() => Topic("twice").CreateAsync(new TopicSpec("twice", 5)));
        Assert.Equal(OrkaErrorCode.TopicAlreadyExists, duplicate.Code);
        var kept = await Topic("twice").GetMetadataAsync();
        Assert.Equal(original.TopicId, kept!.TopicId);
        Assert.Equal(2, kept.PartitionCount);

        var badConfig = await Assert.ThrowsAsync<OrkaException>(() =>
            Topic("configured").CreateAsync(new TopicSpec("configured", 1, ImmutableDictionary<string, string>.Empty.Add("retention.ms", "soon"))));
        Assert.Equal(OrkaErrorCode.InvalidConfig, badConfig.Code);
        Assert.Null(await Topic("configured").GetMetadataAsync());
    }

    [Fact]
    public async Task Partition_OfMissingTopicOrPartition_FailsWithUnknownTopicAndCreatesNoData()
    {
        var missing = await Assert.ThrowsAsync<OrkaException>(() => Partition("nosuch", 0).ProduceAsync(Batches.Of("x"), Acks.All));
        Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, missing.Code);

        await Topic("narrow").CreateAsync(new TopicSpec("narrow", 1));
        var beyond = await Assert.ThrowsAsync<OrkaException>(() => Partition("narrow", 1).FetchAsync(new FetchRequest(0, 100, 0, TimeSpan.Zero)));
        Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, beyond.Code);

        Assert.False(Directory.Exists(Path.Combine(fixture.NodeDirectory(0), "nosuch-0")));
        Assert.False(Directory.Exists(Path.Combine(fixture.NodeDirectory(1), "nosuch-0")));
    }

    // Intent: a corrupt batch is refused with CorruptMessage and the log does not move.
    [Fact]
    public async Task Partition_ProduceCorruptBatch_FailsAndLogUnchanged()
    {
        await Topic("guarded").CreateAsync(new TopicSpec("guarded", 1));
        var batch = Batches.Of("good");
        batch[^1] ^= 0xFF;
        var e = await Assert.ThrowsAsync<OrkaException>(() => Partition("guarded", 0).ProduceAsync(batch, Acks.All));
        Assert.Equal(OrkaErrorCode.CorruptMessage, e.Code);
        Assert.Equal(0, (await Partition("guarded", 0).GetOffsetsAsync()).LogEndOffset);
    }

    // Intent: deleting a topic removes its metadata and its partition directories.
    [Fact]
    public async Task Topic_Delete_RemovesMetadataAndData()
    {
        var metadata = await Topic("doomed").CreateAsync(new TopicSpec("doomed", 2));
        await Partition("doomed", 0).ProduceAsync(Batches.Of("x"), Acks.All);
        await Partition("doomed", 1).ProduceAsync(Batches.Of("y"), Acks.All);
        await Topic("doomed").DeleteAsync();

        Assert.Null(await Topic("doomed").GetMetadataAsync());
        Assert.DoesNotContain("doomed", await fixture.Grains.GetGrain<IClusterGrain>(0).ListTopicsAsync());
        for (var p = 0; p < 2; p++)
        {
            Assert.False(Directory.Exists(Path.Combine(fixture.NodeDirectory(metadata.Leaders()[p]), $"doomed-{p}")));
        }
    }

    // Intent: ListOffsets answers earliest, latest, and the first offset at or after a timestamp.
    [Fact]
    public async Task Partition_ListOffset_EarliestLatestAndByTimestamp()
    {
        await Topic("timed").CreateAsync(new TopicSpec("timed", 1));
        await Partition("timed", 0).ProduceAsync(Batches.At(1_000, "a"), Acks.Leader);
        await Partition("timed", 0).ProduceAsync(Batches.At(2_000, "b", "c"), Acks.Leader);
        await Partition("timed", 0).ProduceAsync(Batches.At(3_000, "d"), Acks.Leader);

        Assert.Equal(0, await Partition("timed", 0).ListOffsetAsync(OffsetSpec.Earliest));
        Assert.Equal(4, await Partition("timed", 0).ListOffsetAsync(OffsetSpec.Latest));
        Assert.Equal(0, await Partition("timed", 0).ListOffsetAsync(500));
        Assert.Equal(1, await Partition("timed", 0).ListOffsetAsync(1_500));
        Assert.Equal(3, await Partition("timed", 0).ListOffsetAsync(3_000));
        Assert.Equal(-1, await Partition("timed", 0).ListOffsetAsync(3_001));
    }

    // Intent: altered config is validated, persisted and reaches the running log; bad config changes nothing.
    [Fact]
    public async Task Topic_AlterConfig_PersistsValidConfigAndRefusesBadConfig()
    {
        await Topic("tuned").CreateAsync(new TopicSpec("tuned", 2));
        await Partition("tuned", 0).ProduceAsync(Batches.Of("x"), Acks.All);
        var config = ImmutableDictionary<string, string>.Empty.Add("retention.ms", "60000").Add("segment.bytes", "4096");
        var altered = await Topic("tuned").AlterConfigAsync(config);
        Assert.Equal("60000", altered.Config["retention.ms"]);
        Assert.Equal("4096", (await Topic("tuned").GetMetadataAsync())!.Config["segment.bytes"]);

        var bad = await Assert.ThrowsAsync<OrkaException>(() => Topic("tuned").AlterConfigAsync(config.SetItem("segment.bytes", "-5")));
        Assert.Equal(OrkaErrorCode.InvalidConfig, bad.Code);
        Assert.Equal("4096", (await Topic("tuned").GetMetadataAsync())!.Config["segment.bytes"]);

        // With 4 KiB segments, 3 KiB batches roll a new segment file for every batch.
        for (var i = 0; i < 3; i++)
        {
            await Partition("tuned", 0).ProduceAsync(Batches.Of(new string('v', 3000)), Acks.All);
        }

        var node = (await Topic("tuned").GetMetadataAsync())!.Leaders()[0];
        Assert.True(Directory.GetFiles(Path.Combine(fixture.NodeDirectory(node), "tuned-0"), "*.log").Length >= 3);
    }

    // Intent: a topic grows to more partitions that are placed on live nodes and usable at once; shrinking is refused.
    [Fact]
    public async Task Topic_AddPartitions_NewPartitionsUsableOnTheirNodes()
    {
        await Topic("growing").CreateAsync(new TopicSpec("growing", 1));
        var grown = await Topic("growing").AddPartitionsAsync(4);
        Assert.Equal(4, grown.PartitionCount);
        Assert.Equal([0, 1], grown.Leaders().Distinct().Order());
        for (var p = 1; p < 4; p++)
        {
            await Partition("growing", p).ProduceAsync(Batches.Of($"new{p}"), Acks.All);
            Assert.True(Directory.Exists(Path.Combine(fixture.NodeDirectory(grown.Leaders()[p]), $"growing-{p}")));
        }

        var shrink = await Assert.ThrowsAsync<OrkaException>(() => Topic("growing").AddPartitionsAsync(2));
        Assert.Equal(OrkaErrorCode.InvalidPartitions, shrink.Code);
        Assert.Equal(4, (await Topic("growing").GetMetadataAsync())!.PartitionCount);
    }

    // Intent: a keyed record lands on Kafka's murmur2 partition for its key.
    [Fact]
    public async Task Client_ProduceWithKey_LandsOnMurmur2Partition()
    {
        await new OrkaAdmin(fixture.Cluster.Client).CreateTopicAsync("keyed", 5);
        await using var producer = new OrkaProducer(fixture.Cluster.Client);
        foreach (var key in new[] { "alpha", "beta", "gamma", "delta" })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(key);
            var delivery = await producer.ProduceAsync("keyed", bytes, bytes);
            Assert.Equal(Murmur2Partitioner.Partition(bytes, 5), delivery.Partition.Partition);
        }
    }

    // Intent: the native producer and consumer move records end to end with per-partition order.
    [Fact]
    public async Task Client_ProduceAndConsume_AllRecordsInPartitionOrder()
    {
        await new OrkaAdmin(fixture.Cluster.Client).CreateTopicAsync("e2e", 3);
        await using (var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { BatchSize = 512 }))
        {
            var sends = Enumerable.Range(0, 2000).Select(i => producer.ProduceAsync("e2e", null, System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
            await producer.FlushAsync();
            await Task.WhenAll(sends);
        }

        var consumer = new OrkaConsumer(fixture.Cluster.Client, new ConsumerOptions { GroupId = "e2e-group", AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.AssignAsync("e2e");
        var seen = new Dictionary<int, List<int>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var count = 0;
        await foreach (var record in consumer.ConsumeAsync(timeout.Token))
        {
            var value = int.Parse(System.Text.Encoding.UTF8.GetString(record.Value!.Value.Span), System.Globalization.CultureInfo.InvariantCulture);
            (seen.TryGetValue(record.Partition.Partition, out var list) ? list : seen[record.Partition.Partition] = []).Add(value);
            if (++count == 2000)
            {
                break;
            }
        }

        Assert.Equal(2000, count);
        Assert.True(seen.Count > 1, "records without a key should move to another partition batch by batch");
        Assert.Equal(Enumerable.Range(0, 2000), seen.Values.SelectMany(v => v).Order());
        Assert.All(seen.Values, values => Assert.Equal(values.Order(), values));

        await consumer.CommitAsync();
        var committed = await fixture.Grains.GetGrain<IConsumerGroupGrain>("e2e-group").GetCommittedAsync("e2e");
        Assert.Equal(2000, committed.Sum(c => c.Offset));
    }
}
