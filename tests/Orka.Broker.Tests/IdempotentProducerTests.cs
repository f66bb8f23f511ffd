namespace Orka.Broker.Tests;

[Collection(nameof(ClusterCollection))]
public sealed class IdempotentProducerTests(ClusterFixture fixture)
{
    private async Task<IPartitionGrain> NewPartitionAsync(string topic)
    {
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 1));
        return fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey());
    }

    private Task<ProducerIdentity> NewProducerAsync() => fixture.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync();

    // Intent: producer ids are never handed out twice.
    [Fact]
    public async Task InitProducerId_Twice_GivesDistinctIds()
    {
        var first = await NewProducerAsync();
        var second = await NewProducerAsync();
        Assert.NotEqual(first.ProducerId, second.ProducerId);
        Assert.Equal(0, second.Epoch);
    }

    // Intent: a retried batch is answered with its first offsets and not appended again.
    [Fact]
    public async Task Produce_RetriedBatch_NotAppendedTwice()
    {
        var partition = await NewPartitionAsync("idem-retry");
        var producer = await NewProducerAsync();
        var first = Batches.Idempotent(producer.ProducerId, 0, 0, "a", "b");
        var original = await partition.ProduceAsync(first, Acks.All);
        var retried = await partition.ProduceAsync(first, Acks.All);
        Assert.Equal((original.BaseOffset, original.LastOffset), (retried.BaseOffset, retried.LastOffset));

        var next = await partition.ProduceAsync(Batches.Idempotent(producer.ProducerId, 0, 2, "c"), Acks.All);
        Assert.Equal(2, next.BaseOffset);
        var fetched = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.Equal(["a", "b", "c"], Batches.Values(fetched.Batches));
    }

    // Intent: the split produce (append, then wait for the fsync) keeps the idempotent contract: a retried batch gets its first offsets and is not appended again, and the wait for offsets already flushed, or past the log end, completes.
    [Fact]
    public async Task AppendThenFlushTo_RetriedBatch_FirstOffsetsAndNotAppendedTwice()
    {
        var partition = await NewPartitionAsync("idem-split");
        var producer = await NewProducerAsync();
        var first = Batches.Idempotent(producer.ProducerId, 0, 0, "a", "b");
        var original = await partition.AppendAsync(first, Acks.All);
        await partition.FlushToAsync(original.LastOffset + 1).WaitAsync(TimeSpan.FromSeconds(30));
        var retried = await partition.AppendAsync(first, Acks.All);
        Assert.Equal((original.BaseOffset, original.LastOffset), (retried.BaseOffset, retried.LastOffset));
        await partition.FlushToAsync(retried.LastOffset + 1).WaitAsync(TimeSpan.FromSeconds(30));

        var next = await partition.AppendAsync(Batches.Idempotent(producer.ProducerId, 0, 2, "c"), Acks.Leader);
        Assert.Equal(2, next.BaseOffset);
        await partition.FlushToAsync(1_000_000).WaitAsync(TimeSpan.FromSeconds(30)); // past the log end: flushes to it
        var fetched = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.Equal(["a", "b", "c"], Batches.Values(fetched.Batches));
    }

    // Intent: gaps, old epochs and unknown producers are refused with Kafka's codes and append nothing.
    [Fact]
    public async Task Produce_OutOfOrderOldEpochOrUnknownProducer_RefusedAndLogUnchanged()
    {
        var partition = await NewPartitionAsync("idem-bad");
        var producer = await NewProducerAsync();
        await partition.ProduceAsync(Batches.Idempotent(producer.ProducerId, 0, 0, "a"), Acks.All);

        var gap = await Assert.ThrowsAsync<OrkaException>(() => partition.ProduceAsync(Batches.Idempotent(producer.ProducerId, 0, 5, "x"), Acks.All));
        Assert.Equal(OrkaErrorCode.OutOfOrderSequenceNumber, gap.Code);

        await partition.ProduceAsync(Batches.Idempotent(producer.ProducerId, 1, 0, "b"), Acks.All);
        var fenced = await Assert.ThrowsAsync<OrkaException>(() => partition.ProduceAsync(Batches.Idempotent(producer.ProducerId, 0, 1, "y"), Acks.All));
        Assert.Equal(OrkaErrorCode.InvalidProducerEpoch, fenced.Code);

        var stranger = await Assert.ThrowsAsync<OrkaException>(() => partition.ProduceAsync(Batches.Idempotent(987_654, 0, 3, "z"), Acks.All));
        Assert.Equal(OrkaErrorCode.UnknownProducerId, stranger.Code);

        var fetched = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.Equal(["a", "b"], Batches.Values(fetched.Batches));
    }
}
