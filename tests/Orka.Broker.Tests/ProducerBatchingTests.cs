using Orka.Client;
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
}
