using Confluent.Kafka;
using Orka.Records;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class ConfluentProduceConsumeTests(KafkaClusterFixture cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Task<string> CreateTopicAsync(string prefix, int partitions) => Clients.CreateTopicAsync(cluster, prefix, partitions);

    /// <summary>Reads <paramref name="count"/> records from every partition's start (no group), within <see cref="Patience"/>.</summary>
    private List<ConsumeResult<string, string>> ReadAll(string topic, int partitions, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(Clients.Consumer(cluster, "unused-" + topic)).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + Patience;
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
            {
                records.Add(record);
            }
        }

        Assert.True(records.Count == count, $"Read {records.Count} of {count} records from {topic} within {Patience}.");
        return records;
    }

    // Intent: an idempotent acks=all producer with each codec is stored as sent (same codec on disk) and every record comes back in order.
    [Theory]
    [InlineData(CompressionType.None, RecordBatchCompression.None)]
    [InlineData(CompressionType.Gzip, RecordBatchCompression.Gzip)]
    [InlineData(CompressionType.Snappy, RecordBatchCompression.Snappy)]
    [InlineData(CompressionType.Lz4, RecordBatchCompression.Lz4)]
    [InlineData(CompressionType.Zstd, RecordBatchCompression.Zstd)]
    public async Task IdempotentProducer_EachCompression_StoredAsSentAndConsumedInOrder(CompressionType compression, RecordBatchCompression stored)
    {
        const int Count = 2000;
        var topic = await CreateTopicAsync("codec", 4);
        var delivered = new List<DeliveryResult<string, string>>();
        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster, compression)).Build())
        {
            var sends = Enumerable.Range(0, Count).Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i % 37}", Value = $"v{i}" })).ToList();
            producer.Flush(Patience);
            delivered.AddRange(await Task.WhenAll(sends));
        }

        // Per partition, offsets are 0..n-1 in the order the records were sent.
        foreach (var partition in delivered.GroupBy(d => d.Partition.Value))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(d => d.Offset.Value));
        }

        var records = ReadAll(topic, 4, Count);
        foreach (var partition in records.GroupBy(r => r.Partition.Value))
        {
            var sent = delivered.Where(d => d.Partition.Value == partition.Key).Select(d => (d.Key, d.Value));
            Assert.Equal(sent, partition.OrderBy(r => r.Offset.Value).Select(r => (r.Message.Key, r.Message.Value)));
        }

        // The log holds the producer's batches: same codec, producer id set (idempotent).
        var fetched = await cluster.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, delivered[0].Partition.Value).ToGrainKey())
            .FetchAsync(new FetchRequest(0, 1 << 20, 1, TimeSpan.Zero));
        var header = RecordBatchHeader.Read(fetched.Batches.Span);
        Assert.Equal(stored, header.Compression);
        Assert.True(header.ProducerId >= 0, "An idempotent producer's batch carries its producer id.");
    }

    // Intent: OffsetsForTimes finds the first record at or after a time, and a seek re-reads from any offset.
    [Fact]
    public async Task OffsetsForTimesAndSeek_FindAndRereadRecords()
    {
        var topic = await CreateTopicAsync("times", 1);
        var t0 = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                // One batch per record, so each has its own timestamp in the index.
                await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = $"v{i}", Timestamp = new Timestamp(t0 + (i * 1000), TimestampType.CreateTime) });
            }
        }

        using var consumer = new ConsumerBuilder<string, string>(Clients.Consumer(cluster, "times-" + topic)).Build();
        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(t0 + 5500, TimestampType.CreateTime))], Patience);
        Assert.Equal(6, Assert.Single(found).Offset.Value);
        var beyond = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(t0 + 60_000, TimestampType.CreateTime))], Patience);
        Assert.Equal(Offset.End, Assert.Single(beyond).Offset);

        var watermarks = consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, 0), Patience);
        Assert.Equal((0L, 10L), (watermarks.Low.Value, watermarks.High.Value));

        consumer.Assign(new TopicPartitionOffset(topic, 0, 7));
        Assert.Equal("v7", ConsumeOne(consumer).Message.Value);
        consumer.Seek(new TopicPartitionOffset(topic, 0, 2));
        Assert.Equal("v2", ConsumeOne(consumer).Message.Value);
        Assert.Equal("v3", ConsumeOne(consumer).Message.Value);
    }

    // Intent: DeleteRecords moves the log start, and consumers from the beginning start there.
    [Fact]
    public async Task DeleteRecords_MovesLowWatermark()
    {
        var topic = await CreateTopicAsync("delrec", 1);
        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build())
        {
            for (var i = 0; i < 6; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = $"v{i}" });
            }
        }

        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var result = await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 4)]);
        Assert.Equal(4, Assert.Single(result).Offset.Value);

        using var consumer = new ConsumerBuilder<string, string>(Clients.Consumer(cluster, "delrec-" + topic)).Build();
        Assert.Equal(4, consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, 0), Patience).Low.Value);
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        Assert.Equal("v4", ConsumeOne(consumer).Message.Value);
    }

    private static ConsumeResult<string, string> ConsumeOne(IConsumer<string, string> consumer)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
            {
                return record;
            }
        }

        throw new TimeoutException($"No record within {Patience}.");
    }
}
