using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class FuzzTests(KafkaClusterFixture cluster)
{
    private const int Seed = 20261125;
    private const int Frames = 3000;
    private const int FramesPerConnection = 4;

    /// <summary>Valid requests of many APIs and versions (flexible ones included) that mutation starts from.</summary>
    private static List<byte[]> ValidFrames(string topic) =>
    [
        RawKafkaConnection.Frame(18, 0, 1, _ => { }),
        RawKafkaConnection.Frame(18, 3, 2, w =>
        {
            w.WriteString("fuzz");
            w.WriteString("1.0");
            w.WriteEmptyTaggedFields();
        }, flexible: true),
        RawKafkaConnection.Frame(3, 1, 3, w => w.WriteArrayLength(-1)),
        RawKafkaConnection.Frame(3, 9, 4, w =>
        {
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteEmptyTaggedFields();
            w.WriteBool(false);
            w.WriteBool(false);
            w.WriteEmptyTaggedFields();
        }, flexible: true),
        BadInputTests.ProduceFrame(5, topic, 0, new Orka.Records.RecordBatchBuilder().Let(b => b.Append(1, default, "fuzz"u8, keyIsNull: true)).Build()),
        RawKafkaConnection.Frame(1, 4, 6, w =>
        {
            w.WriteInt32(-1);
            w.WriteInt32(0); // max wait 0: mutated fetches answer at once
            w.WriteInt32(1);
            w.WriteInt32(1 << 20);
            w.WriteInt8(0);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(0);
            w.WriteInt64(0);
            w.WriteInt32(1 << 20);
        }),
        RawKafkaConnection.Frame(2, 1, 7, w =>
        {
            w.WriteInt32(-1);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(0);
            w.WriteInt64(-2);
        }),
        RawKafkaConnection.Frame(10, 0, 8, w => w.WriteString("fuzz-group")),
        RawKafkaConnection.Frame(9, 1, 9, w =>
        {
            w.WriteString("fuzz-group");
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(0);
        }),
        RawKafkaConnection.Frame(32, 1, 10, w =>
        {
            w.WriteArrayLength(1);
            w.WriteInt8(2);
            w.WriteString(topic);
            w.WriteArrayLength(-1);
            w.WriteBool(false);
        }),
    ];

    private static byte[] Mutate(Random random, List<byte[]> seeds)
    {
        var frame = (byte[])seeds[random.Next(seeds.Count)].Clone();
        switch (random.Next(5))
        {
            case 0: // flip bytes after the size prefix
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    frame[random.Next(4, frame.Length)] ^= (byte)random.Next(1, 256);
                }

                return frame;
            case 1: // truncate, keeping the size consistent
                var length = random.Next(4, frame.Length);
                var cut = frame[..length];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(cut, length - 4);
                return cut;
            case 2: // overwrite a 2- or 4-byte field with an extreme value (lengths, counts, versions)
                var at = random.Next(4, frame.Length - 4);
                var extreme = new[] { -1, 0, int.MaxValue, int.MinValue, 0x7FFF, 0xFFFF }[random.Next(6)];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), extreme);
                return frame;
            case 3: // random bytes with a consistent size prefix
                var junk = new byte[4 + random.Next(8, 300)];
                random.NextBytes(junk.AsSpan(4));
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(junk, junk.Length - 4);
                return junk;
            default: // a valid header with a random API key and version, then the seed's body
                System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), (short)random.Next(0, 70));
                System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), (short)random.Next(-1, 20));
                return frame;
        }
    }

    // Intent: a few thousand random and mutated frames (fixed seed) neither crash nor wedge the listener: a real client works afterwards on both nodes.
    [Fact]
    public async Task RandomAndMutatedFrames_ListenerSurvives_RealClientWorks()
    {
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var topic = Clients.Topic("fuzz");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        var seeds = ValidFrames(topic);
        var random = new Random(Seed);
        var closedByListener = 0;
        for (var sent = 0; sent < Frames; sent += FramesPerConnection)
        {
            await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[random.Next(cluster.Endpoints.Count)]);
            try
            {
                for (var i = 0; i < FramesPerConnection; i++)
                {
                    await connection.SendAsync(Mutate(random, seeds));
                }
            }
            catch (IOException)
            {
                // The listener closed the connection part way: exactly what bad frames deserve.
            }

            if (await connection.IsClosedByServerAsync(TimeSpan.FromMilliseconds(50)))
            {
                closedByListener++;
            }
        }

        // The frames did reach the listener: most connections carried a frame it had to refuse.
        Assert.True(closedByListener > Frames / FramesPerConnection / 2, $"Only {closedByListener} connections were closed by the listener.");

        // Both nodes still serve a real client: create, produce, consume.
        var after = Clients.Topic("afterfuzz");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = after, NumPartitions = 2, ReplicationFactor = 1 }]);
        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build())
        {
            var sends = Enumerable.Range(0, 100).Select(i => producer.ProduceAsync(after, new Message<string, string> { Key = $"k{i}", Value = $"{i}" })).ToList();
            producer.Flush(TimeSpan.FromSeconds(30));
            Assert.All(await Task.WhenAll(sends), r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        }

        using var consumer = new ConsumerBuilder<string, string>(Clients.Consumer(cluster, "afterfuzz")).Build();
        consumer.Assign([new TopicPartitionOffset(after, 0, Offset.Beginning), new TopicPartitionOffset(after, 1, Offset.Beginning)]);
        var values = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (values.Count < 100 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } r)
            {
                values.Add(int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(Enumerable.Range(0, 100), values.Order());
    }
}

/// <summary>Tiny helper for building seed frames inline.</summary>
internal static class BuilderExtensions
{
    public static T Let<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
