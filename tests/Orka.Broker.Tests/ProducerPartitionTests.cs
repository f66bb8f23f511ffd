using System.Collections.Concurrent;
using Orka.Client;

namespace Orka.Broker.Tests;

[Collection(nameof(ClusterCollection))]
public sealed class ProducerPartitionTests(ClusterFixture fixture)
{
    // Intent: a record given a partition goes there whatever its key, in order; a partition the topic
    // lacks fails that record (handler called with UnknownTopicOrPartition) and no other.
    [Fact]
    public async Task EnqueueToPartition_GoesThereAndMissingPartitionFailsOnlyThatRecord()
    {
        const string topic = "producer-chosen-partition";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 2));
        var outcomes = new ConcurrentDictionary<long, (DeliveryResult? Result, Exception? Error)>();
        void OnDelivery(DeliveryResult? result, Exception? error, long state) => outcomes[state] = (result, error);
        await using (var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { Acks = Acks.All }))
        {
            for (var i = 0; i < 20; i++)
            {
                // Keys that murmur2 spreads over both partitions.
                await producer.EnqueueAsync(new TopicPartition(topic, 1), BitConverter.GetBytes(i), BitConverter.GetBytes(i), OnDelivery, i);
            }

            await producer.EnqueueAsync(new TopicPartition(topic, 5), null, "lost?"u8.ToArray(), OnDelivery, 99);
            await producer.FlushAsync();
        }

        Assert.True(outcomes.TryGetValue(99, out var missing), "the record to partition 5 got no outcome");
        Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, Assert.IsType<OrkaException>(missing.Error).Code);
        var delivered = Enumerable.Range(0, 20).Select(i => outcomes[i]).ToList();
        Assert.All(delivered, d => Assert.Null(d.Error));
        Assert.All(delivered, d => Assert.Equal(new TopicPartition(topic, 1), d.Result!.Partition));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), delivered.Select(d => d.Result!.Offset));
    }
}
