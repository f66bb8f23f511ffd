using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Orka.Kafka.Protocol;
using Orka.Records;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class BadInputTests(KafkaClusterFixture cluster)
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private Task<string> CreateTopicAsync(string prefix, int partitions) => Clients.CreateTopicAsync(cluster, prefix, partitions);

    private async Task<Orka.KafkaEndpoint> LeaderAsync(string topic, int partition)
    {
        var node = (await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync())!.Leaders()[partition];
        return cluster.Endpoints.Single(e => e.NodeId == node);
    }

    private static byte[] ApiVersionsFrame(int correlationId, short version = 0) =>
        RawKafkaConnection.Frame((short)ApiKey.ApiVersions, version, correlationId, _ => { });

    /// <summary>A Produce v3 request of <paramref name="records"/> to one partition.</summary>
    internal static byte[] ProduceFrame(int correlationId, string topic, int partition, byte[] records, short acks = 1) =>
        RawKafkaConnection.Frame((short)ApiKey.Produce, 3, correlationId, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt16(acks);
            w.WriteInt32(10_000);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(partition);
            w.WriteBytes(records);
        });

    /// <summary>The partition error code of a Produce v3 response with one topic and one partition.</summary>
    private static OrkaErrorCode ProduceError(byte[] response)
    {
        var reader = new KafkaReader(response);
        _ = reader.ReadInt32(); // correlation
        Assert.Equal(1, reader.ReadArrayLength());
        _ = reader.ReadString();
        Assert.Equal(1, reader.ReadArrayLength());
        _ = reader.ReadInt32();
        return (OrkaErrorCode)reader.ReadInt16();
    }

    private static byte[] Batch(params string[] values)
    {
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1_700_000_000_000, default, Encoding.UTF8.GetBytes(value), keyIsNull: true);
        }

        return builder.Build();
    }

    private async Task AssertListenerServesAsync()
    {
        await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);
        await connection.SendAsync(ApiVersionsFrame(4242));
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal(4242, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
    }

    // Intent: an unknown API key closes that connection only; the listener keeps answering others.
    [Fact]
    public async Task UnknownApiKey_ClosesConnection_ListenerKeepsServing()
    {
        await using (var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]))
        {
            await connection.SendAsync(RawKafkaConnection.Frame(999, 0, 1, w => w.WriteInt32(5)));
            Assert.True(await connection.IsClosedByServerAsync(CloseTimeout), "An unknown API key should close the connection.");
        }

        await AssertListenerServesAsync();
    }

    // Intent: an ApiVersions version we do not speak gets UNSUPPORTED_VERSION (35) in v0 with our exact ranges, as brokers answer.
    [Fact]
    public async Task ApiVersions_UnsupportedVersion_AnswersErrorWithRanges()
    {
        await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);
        await connection.SendAsync(ApiVersionsFrame(77, version: 9));
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        var reader = new KafkaReader(response);
        Assert.Equal(77, reader.ReadInt32());
        Assert.Equal((short)OrkaErrorCode.UnsupportedVersion, reader.ReadInt16());
        var ranges = reader.ReadArray(r => (Key: r.ReadInt16(), Min: r.ReadInt16(), Max: r.ReadInt16()));
        Assert.Contains(((short)0, (short)3, (short)9), ranges);
        Assert.Contains(((short)18, (short)0, (short)3), ranges);
        Assert.Contains(((short)3, (short)0, (short)12), ranges);
    }

    // Intent: a version outside an API's advertised range closes the connection (the body cannot be parsed).
    [Fact]
    public async Task Produce_UnsupportedVersion_ClosesConnection()
    {
        await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);
        await connection.SendAsync(RawKafkaConnection.Frame((short)ApiKey.Produce, 2, 1, w => w.WriteInt16(1)));
        Assert.True(await connection.IsClosedByServerAsync(CloseTimeout));
    }

    // Intent: frame sizes that are negative, too small or above socket.request.max.bytes close the connection before any body is read.
    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(100 * 1024 * 1024 + 1)]
    [InlineData(int.MaxValue)]
    public async Task ImpossibleFrameSize_ClosesConnection(int size)
    {
        await using (var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]))
        {
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, size);
            await connection.SendAsync(prefix);
            Assert.True(await connection.IsClosedByServerAsync(CloseTimeout), $"Frame size {size} should close the connection.");
        }

        await AssertListenerServesAsync();
    }

    // Intent: a frame cut short by the client, or one whose fields run past its end, appends nothing and harms no one.
    [Fact]
    public async Task TruncatedFrames_AppendNothing()
    {
        var topic = await CreateTopicAsync("trunc", 1);
        var frame = ProduceFrame(1, topic, 0, Batch("a", "b"));
        await using (var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]))
        {
            await connection.SendAsync(frame.AsMemory(0, frame.Length - 10)); // the client dies mid-frame
        }

        // A frame whose declared size cuts the record bytes short: its fields end early.
        var shortened = frame[..^10];
        BinaryPrimitives.WriteInt32BigEndian(shortened, shortened.Length - 4);
        await using (var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]))
        {
            await connection.SendAsync(shortened);
            Assert.True(await connection.IsClosedByServerAsync(CloseTimeout), "A frame whose fields run past its end should close the connection.");
        }

        await AssertListenerServesAsync();
        var offsets = await cluster.Grains.GetGrain<IPartitionGrain>(new Orka.TopicPartition(topic, 0).ToGrainKey()).GetOffsetsAsync();
        Assert.Equal(0, offsets.LogEndOffset);
    }

    // Intent: a batch with a bad CRC is refused with CORRUPT_MESSAGE and nothing is appended; a good one after it is.
    [Fact]
    public async Task Produce_BadCrc_CorruptMessageAndNothingAppended()
    {
        var topic = await CreateTopicAsync("crc", 1);
        var leader = await LeaderAsync(topic, 0);
        var bad = Batch("x", "y");
        bad[^1] ^= 0xFF; // a payload byte the CRC covers
        await using var connection = await RawKafkaConnection.OpenAsync(leader);
        await connection.SendAsync(ProduceFrame(1, topic, 0, bad));
        Assert.Equal(OrkaErrorCode.CorruptMessage, ProduceError((await connection.ReceiveAsync())!));
        var grain = cluster.Grains.GetGrain<IPartitionGrain>(new Orka.TopicPartition(topic, 0).ToGrainKey());
        Assert.Equal(0, (await grain.GetOffsetsAsync()).LogEndOffset);

        await connection.SendAsync(ProduceFrame(2, topic, 0, Batch("x", "y")));
        Assert.Equal(OrkaErrorCode.None, ProduceError((await connection.ReceiveAsync())!));
        Assert.Equal(2, (await grain.GetOffsetsAsync()).LogEndOffset);
    }

    // Intent: a produce sent to a silo that does not hold the partition gets NOT_LEADER_OR_FOLLOWER and appends nothing.
    [Fact]
    public async Task Produce_ToNonLeader_NotLeaderOrFollower()
    {
        var topic = await CreateTopicAsync("notleader", 2);
        var metadata = (await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync())!;
        var partition = Enumerable.Range(0, 2).First(p => metadata.Leaders()[p] == 1);
        await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);
        await connection.SendAsync(ProduceFrame(1, topic, partition, Batch("lost?")));
        Assert.Equal(OrkaErrorCode.NotLeaderOrFollower, ProduceError((await connection.ReceiveAsync())!));
        var offsets = await cluster.Grains.GetGrain<IPartitionGrain>(new Orka.TopicPartition(topic, partition).ToGrainKey()).GetOffsetsAsync();
        Assert.Equal(0, offsets.LogEndOffset);
    }

    // Intent: requests pipelined on one connection are answered in the order they were sent.
    [Fact]
    public async Task PipelinedRequests_AnsweredInOrder()
    {
        var topic = await CreateTopicAsync("pipe", 1);
        var leader = await LeaderAsync(topic, 0);
        await using var connection = await RawKafkaConnection.OpenAsync(leader);
        var frames = Enumerable.Range(1, 60).SelectMany(i => i % 2 == 0 ? ApiVersionsFrame(i) : ProduceFrame(i, topic, 0, Batch($"r{i}"))).ToArray();
        await connection.SendAsync(frames);
        for (var i = 1; i <= 60; i++)
        {
            var response = await connection.ReceiveAsync();
            Assert.NotNull(response);
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(response));
        }

        // The 30 produce requests were appended in the order sent.
        var fetched = await cluster.Grains.GetGrain<IPartitionGrain>(new Orka.TopicPartition(topic, 0).ToGrainKey()).FetchAsync(new FetchRequest(0, 1 << 20, 1, TimeSpan.Zero));
        var values = RecordBatchReader.ReadRecords(fetched.Batches).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span));
        Assert.Equal(Enumerable.Range(1, 60).Where(i => i % 2 == 1).Select(i => $"r{i}"), values);
    }

    // Intent: hundreds of connections at once, half of them sending garbage, do not stop a real client.
    [Fact]
    public async Task ManyConnections_SomeGarbage_RealClientStillWorks()
    {
        var connections = new List<RawKafkaConnection>();
        try
        {
            for (var i = 0; i < 400; i++)
            {
                var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[i % 2]);
                connections.Add(connection);
                await connection.SendAsync(i % 2 == 0 ? ApiVersionsFrame(i) : new byte[] { 0, 0, 0, 12, 0xDE, 0xAD, 0xBE, 0xEF });
            }

            var topic = await CreateTopicAsync("many", 2);
            using var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build();
            var result = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "still here" });
            Assert.Equal(PersistenceStatus.Persisted, result.Status);

            for (var i = 0; i < 400; i += 2)
            {
                var response = await connections[i].ReceiveAsync();
                Assert.True(response is not null && BinaryPrimitives.ReadInt32BigEndian(response) == i, $"Connection {i} got no ApiVersions answer.");
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    // Intent: acks=0 gets no response at all (as in Kafka) yet is appended; the next request's answer comes next.
    [Fact]
    public async Task Produce_AcksZero_NoResponseButAppended()
    {
        var topic = await CreateTopicAsync("acks0", 1);
        await using var connection = await RawKafkaConnection.OpenAsync(await LeaderAsync(topic, 0));
        await connection.SendAsync(ProduceFrame(1, topic, 0, Batch("fire", "forget"), acks: 0));
        await connection.SendAsync(ApiVersionsFrame(2));
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(response));
        var offsets = await cluster.Grains.GetGrain<IPartitionGrain>(new Orka.TopicPartition(topic, 0).ToGrainKey()).GetOffsetsAsync();
        Assert.Equal(2, offsets.LogEndOffset);
    }
}
