using System.Buffers.Binary;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Orka.Records;

namespace Orka.Kafka.Tests;

/// <summary>A Kafka consumer reading a partition whose closed segment holds a corrupt batch (bytes changed on disk under the node).</summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class ConfluentCorruptionTests(KafkaClusterFixture cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Intent: the consumer gets every record before the corrupt batch, then CORRUPT_MESSAGE for it
    // (not an unknown broker error), and after seeking past it every later record.
    [Fact]
    public async Task Consume_CorruptLengthInClosedSegment_RecordsBeforeErrorThenRecordsAfterSeek()
    {
        const int Count = 40;
        var topic = Clients.Topic("corrupt");
        using (var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic, NumPartitions = 1, ReplicationFactor = 1,
                Configs = new() { ["segment.bytes"] = "1024", ["index.interval.bytes"] = "1" },
            }]);
        }

        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build())
        {
            for (var i = 0; i < Count; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = $"v{i}".PadRight(60, '.') }); // one batch each
            }
        }

        var directory = Assert.Single(Directory.GetDirectories(cluster.Root, $"{topic}-0", SearchOption.AllDirectories));
        var firstSegment = Directory.GetFiles(directory, "*.log").Order(StringComparer.Ordinal).First();
        var (position, badOffset) = SecondBatch(firstSegment);
        using (var file = new FileStream(firstSegment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, 0x7FFFFFF0);
            RandomAccess.Write(file.SafeFileHandle, length, position + 8);
        }

        var config = Clients.Consumer(cluster, "unused-" + topic);
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var before = new List<long>();
        ConsumeException? error = null;
        var deadline = DateTime.UtcNow + Patience;
        while (error is null && DateTime.UtcNow < deadline)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
                {
                    before.Add(record.Offset.Value);
                }
            }
            catch (ConsumeException e)
            {
                error = e;
            }
        }

        Assert.True(error is not null, $"No consume error within {Patience}; read offsets {string.Join(",", before)}.");
        Assert.Equal(ErrorCode.InvalidMsg, error.Error.Code); // Kafka code 2, CORRUPT_MESSAGE
        Assert.Equal(Enumerable.Range(0, (int)badOffset).Select(i => (long)i), before);

        consumer.Seek(new TopicPartitionOffset(topic, 0, badOffset + 1));
        var after = new List<string>();
        deadline = DateTime.UtcNow + Patience;
        while (after.Count < Count - badOffset - 1 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
            {
                after.Add(record.Message.Value.TrimEnd('.'));
            }
        }

        Assert.Equal(Enumerable.Range((int)badOffset + 1, Count - (int)badOffset - 1).Select(i => $"v{i}"), after);
    }

    /// <summary>Position and base offset of the second batch in a segment file.</summary>
    private static (long Position, long BaseOffset) SecondBatch(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var first = RecordBatchHeader.Read(bytes);
        var second = RecordBatchHeader.Read(bytes.AsSpan(first.SizeInBytes));
        return (first.SizeInBytes, second.BaseOffset);
    }
}
