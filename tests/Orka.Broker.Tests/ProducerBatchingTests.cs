using Orka.Client;
using Orka.Records;
using Orka.Storage;

namespace Orka.Broker.Tests;

[Collection(nameof(ClusterCollection))]
public sealed class ProducerBatchingTests(ClusterFixture fixture)
{
    // Intent: with no linger, records produced while a batch is in flight ride in the next batch
    // together (Kafka's sender behaviour), not one batch (one grain call) per record.
    [Fact]
    public async Task Produce_LingerZeroUnderLoad_RecordsShareBatchesInOrder()
    {
        const string topic = "batching-linger0";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 1));
        var deliveries = new List<Task<DeliveryResult>>();
        await using (var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { Linger = TimeSpan.Zero, Acks = Acks.All }))
        {
            for (var i = 0; i < 2000; i++)
            {
                deliveries.Add(producer.ProduceAsync(topic, "k"u8.ToArray(), BitConverter.GetBytes(i)));
            }

            await producer.FlushAsync();
        }

        var results = await Task.WhenAll(deliveries);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), results.Select(r => r.Offset));

        var fetched = await fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey())
            .FetchAsync(new FetchRequest(0, 64 << 20, 1, TimeSpan.Zero));
        var batches = 0;
        foreach (var _ in RecordBatchHeader.Enumerate(fetched.Batches.Span))
        {
            batches++;
        }

        // One batch per record was the old behaviour (2000); the first record goes alone and the
        // rest gather while earlier batches are acknowledged.
        Assert.InRange(batches, 1, 200);
        Assert.Equal(Enumerable.Range(0, 2000), RecordBatchReader.ReadRecords(fetched.Batches).Select(r => BitConverter.ToInt32(r.Value!.Value.Span)));
    }

    // Intent: a batch never grows past the batch size, nor past the topic's max.message.bytes (the
    // partition would refuse it): before, a batch was closed only after the record that overfilled
    // it, so a 1 MiB batch size failed every batch on a topic with the default 1 MiB limit.
    [Theory]
    [InlineData(1 << 20, null)]            // the default batch size against the default limit
    [InlineData(1 << 20, 64 * 1024)]       // the topic's limit is lower than the batch size
    [InlineData(16 * 1024, null)]          // the batch size is the lower one
    public async Task Produce_BatchesNeverExceedBatchSizeOrTopicLimit(int batchSize, int? maxMessageBytes)
    {
        var topic = $"batching-limit-{batchSize}-{maxMessageBytes}";
        var config = maxMessageBytes is { } max
            ? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("max.message.bytes", max.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 2, config));
        var value = new byte[1000];
        const int Records = 3000; // about 3 MB: several full batches
        var deliveries = new List<Task<DeliveryResult>>();
        await using (var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { BatchSize = batchSize, Linger = TimeSpan.FromSeconds(5), Acks = Acks.Leader }))
        {
            for (var i = 0; i < Records; i++)
            {
                BitConverter.TryWriteBytes(value, i);
                deliveries.Add(producer.ProduceAsync(topic, null, value));
            }

            await producer.FlushAsync();
        }

        await Task.WhenAll(deliveries); // throws if a batch was refused (MessageTooLarge)
        var limit = Math.Min(batchSize, maxMessageBytes ?? new LogConfig().MaxMessageBytes);
        var seen = new List<int>();
        var largest = 0;
        for (var p = 0; p < 2; p++)
        {
            var fetched = await fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey())
                .FetchAsync(new FetchRequest(0, 64 << 20, 1, TimeSpan.Zero));
            foreach (var (header, _) in RecordBatchHeader.Enumerate(fetched.Batches.Span))
            {
                largest = Math.Max(largest, header.SizeInBytes);
            }

            seen.AddRange(RecordBatchReader.ReadRecords(fetched.Batches).Select(r => BitConverter.ToInt32(r.Value!.Value.Span)));
        }

        Assert.InRange(largest, limit / 2, limit); // full batches, none over the limit
        Assert.Equal(Enumerable.Range(0, Records), seen.Order());
    }
}
