using Microsoft.Extensions.Time.Testing;

namespace Orka.Client.Tests;

public sealed class RecordAccumulatorTests
{
    private const string Topic = "accumulated";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Intent: records fill one partition's batch up to the batch size; the record that would overfill it seals the batch and opens the next.
    [Fact]
    public async Task RecordAccumulator_RecordsPastBatchSize_SealsFullBatchAndOpensNext()
    {
        var cluster = new FakeProducerCluster(Topic, partitions: 1);
        var time = new FakeTimeProvider();
        await using var producer = Producer(cluster, time, new ProducerOptions { BatchSize = 1000, Linger = TimeSpan.FromHours(1), EnableIdempotence = false });
        await ProduceKnownTopicAsync(producer);

        // 100-byte values count 136 bytes each against the batch: about eight fit in 1000 bytes.
        var deliveries = Enumerable.Range(1, 10).Select(i => producer.ProduceAsync(Topic, null, Value(i, 100))).ToList();

        await deliveries[0].WaitAsync(Timeout);
        var batch = Assert.Single(cluster.Batches, b => b.Values.Count > 1);
        Assert.InRange(batch.Bytes, 1, 1000);
        Assert.True(batch.Bytes + 136 > 1000, $"a batch of {batch.Bytes} bytes had room for another record");
        Assert.All(deliveries.Take(batch.Values.Count), d => Assert.True(d.IsCompletedSuccessfully));
        Assert.All(deliveries.Skip(batch.Values.Count), d => Assert.False(d.IsCompleted, "records after the full batch wait for the linger"));
    }

    // Intent: a partial batch goes out when its linger passes (on the producer's clock), not before.
    [Fact]
    public async Task RecordAccumulator_LingerPasses_SendsPartialBatch()
    {
        var cluster = new FakeProducerCluster(Topic, partitions: 1);
        var time = new FakeTimeProvider();
        await using var producer = Producer(cluster, time, new ProducerOptions { Linger = TimeSpan.FromMilliseconds(5), EnableIdempotence = false });
        await ProduceKnownTopicAsync(producer);
        var before = cluster.Batches.Count;

        var deliveries = new[] { producer.ProduceAsync(Topic, null, Value(1, 10)), producer.ProduceAsync(Topic, null, Value(2, 10)) };
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(before, cluster.Batches.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(deliveries).WaitAsync(Timeout);

        var batch = cluster.Batches.Last();
        Assert.Equal([1, 2], batch.Values.Select(v => (int)v[0]));
    }

    // Intent: a record bigger than the topic's max.message.bytes is sent in a batch of its own, so only it is refused and its neighbours are delivered.
    [Fact]
    public async Task RecordAccumulator_RecordOverMaxMessageBytes_RefusedAloneNeighboursDelivered()
    {
        var cluster = new FakeProducerCluster(Topic, partitions: 1, maxMessageBytes: 500);
        await using var producer = Producer(cluster, new FakeTimeProvider(), new ProducerOptions { Linger = TimeSpan.FromHours(1), EnableIdempotence = false });
        await ProduceKnownTopicAsync(producer);

        var before = producer.ProduceAsync(Topic, null, Value(1, 100));
        var tooLarge = producer.ProduceAsync(Topic, null, Value(2, 1000));
        var after = producer.ProduceAsync(Topic, null, Value(3, 100));
        await producer.FlushAsync().WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<OrkaException>(() => tooLarge);
        Assert.Equal(OrkaErrorCode.MessageTooLarge, error.Code);
        Assert.Equal((await before).Offset + 1, (await after).Offset);
    }

    // Intent: records without a key stick to one partition until its batch seals, then choose a partition again.
    [Fact]
    public async Task RecordAccumulator_StickyBatchSeals_NextRecordsGoToNewlyChosenPartition()
    {
        var cluster = new FakeProducerCluster(Topic, partitions: 2);
        var random = new ScriptedRandom(0, 1);
        await using var producer = Producer(cluster, new FakeTimeProvider(), new ProducerOptions { BatchSize = 350, Linger = TimeSpan.FromHours(1), EnableIdempotence = false }, random);

        // Two 100-byte records (about 108 bytes encoded, 136 counted) fit a 350-byte batch on the first
        // chosen partition; the third would overfill it, so it seals and the third goes to the next choice.
        var deliveries = Enumerable.Range(1, 3).Select(i => producer.ProduceAsync(Topic, null, Value(i, 100))).ToList();
        await producer.FlushAsync().WaitAsync(Timeout);

        Assert.Equal([0, 0, 1], deliveries.Select(d => d.Result.Partition.Partition));
    }

    // Intent: a record the whole buffer could never hold is refused at the call, before anything is buffered.
    [Fact]
    public async Task Producer_RecordBiggerThanBufferMemory_ThrowsMessageTooLarge()
    {
        var cluster = new FakeProducerCluster(Topic, partitions: 1);
        await using var producer = Producer(cluster, new FakeTimeProvider(), new ProducerOptions { BufferMemory = 1000, BatchSize = 1000 });

        var error = Assert.Throws<OrkaException>(() => { _ = producer.ProduceAsync(Topic, null, Value(1, 2000)); });

        Assert.Equal(OrkaErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(0, producer.BufferedBytes);
    }

    // Intent: once the topic's metadata is known and batch buffers are warm, a record with a handler and a number costs no allocation on the calling thread.
    [Fact]
    public async Task Producer_EnqueueWithStateOnCommonPath_AllocatesNothingPerRecord()
    {
        // 5,000 records of 100 bytes stay in one 1 MiB batch: no seal, so only the common path runs.
        const int Records = 5_000;
        var cluster = new FakeProducerCluster(Topic, partitions: 1);
        await using var producer = Producer(cluster, new FakeTimeProvider(), new ProducerOptions { Linger = TimeSpan.FromHours(1), EnableIdempotence = false });
        var delivered = 0L;
        Action<DeliveryResult?, Exception?, long> onDelivery = (_, _, _) => Interlocked.Increment(ref delivered);
        var value = new ReadOnlyMemory<byte>(Value(1, 100));

        // Three rounds leave the open batch one that has held this many records (grown buffer and waiter list).
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < Records; i++)
            {
                await producer.EnqueueAsync(Topic, null, value, onDelivery, i);
            }

            await producer.FlushAsync().WaitAsync(Timeout);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Records; i++)
        {
            _ = producer.EnqueueAsync(Topic, null, value, onDelivery, i);
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        await producer.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(4 * Records, Interlocked.Read(ref delivered));
        Assert.True(allocated < Records, $"{allocated} bytes allocated for {Records} records");
    }

    private static OrkaProducer Producer(FakeProducerCluster cluster, TimeProvider time, ProducerOptions options, Random? random = null) =>
        new(cluster, options, time, random ?? new ScriptedRandom(0));

    /// <summary>The first record of a topic waits for its metadata; after it, records take the common path.</summary>
    private static async Task ProduceKnownTopicAsync(OrkaProducer producer)
    {
        var first = producer.ProduceAsync(Topic, null, Value(0, 1));
        await producer.FlushAsync().WaitAsync(Timeout);
        await first;
    }

    private static byte[] Value(int first, int length)
    {
        var value = new byte[length];
        value[0] = (byte)first;
        return value;
    }
}
