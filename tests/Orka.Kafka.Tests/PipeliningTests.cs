using System.Text;
using Confluent.Kafka;
using Orka.Kafka.Protocol;
using Orka.Records;

namespace Orka.Kafka.Tests;

/// <summary>
/// Requests pipelined on one connection: the listener starts several before answering the first,
/// yet answers in request order and appends each partition's batches in request order.
/// </summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class PipeliningTests(KafkaClusterFixture cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Task<string> CreateTopicAsync(string prefix, int partitions) => Clients.CreateTopicAsync(cluster, prefix, partitions);

    /// <summary>The partitions of <paramref name="topic"/> led by node 0.</summary>
    private async Task<int[]> PartitionsOfNode0Async(string topic)
    {
        var nodes = (await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync())!.Leaders();
        return [.. Enumerable.Range(0, nodes.Length).Where(p => nodes[p] == 0)];
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

    /// <summary>A Produce v3 request with one batch per partition, acks=all unless told.</summary>
    private static byte[] ProduceFrame(int correlationId, string topic, IReadOnlyList<(int Partition, byte[] Records)> partitions, short acks = -1) =>
        RawKafkaConnection.Frame((short)ApiKey.Produce, 3, correlationId, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt16(acks);
            w.WriteInt32(10_000);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(partitions.Count);
            foreach (var (partition, records) in partitions)
            {
                w.WriteInt32(partition);
                w.WriteBytes(records);
            }
        });

    /// <summary>A Produce v3 response: its correlation id and, per partition, the error and base offset.</summary>
    private static (int CorrelationId, Dictionary<int, (OrkaErrorCode Error, long BaseOffset)> Partitions) ReadProduceResponse(byte[] frame)
    {
        var reader = new KafkaReader(frame);
        var correlationId = reader.ReadInt32();
        var partitions = new Dictionary<int, (OrkaErrorCode, long)>();
        Assert.Equal(1, reader.ReadArrayLength());
        _ = reader.ReadString();
        var count = reader.ReadArrayLength();
        for (var i = 0; i < count; i++)
        {
            var index = reader.ReadInt32();
            var error = (OrkaErrorCode)reader.ReadInt16();
            var baseOffset = reader.ReadInt64();
            _ = reader.ReadInt64(); // log append time
            partitions[index] = (error, baseOffset);
        }

        return (correlationId, partitions);
    }

    /// <summary>Every record value of one partition, in offset order, read through its grain.</summary>
    private async Task<List<string>> ValuesAsync(string topic, int partition)
    {
        var grain = cluster.Grains.GetGrain<IPartitionGrain>(new Orka.TopicPartition(topic, partition).ToGrainKey());
        var values = new List<string>();
        var offset = 0L;
        while (true)
        {
            var fetched = await grain.FetchAsync(new FetchRequest(offset, 1 << 20, 1, TimeSpan.Zero));
            var records = RecordBatchReader.ReadRecords(fetched.Batches).ToList();
            if (records.Count == 0)
            {
                return values;
            }

            Assert.Equal(offset, records[0].Offset); // no gap between fetches
            values.AddRange(records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
            offset = records[^1].Offset + 1;
        }
    }

    // Intent: acks=all produce frames written back to back without reading are answered in request order, with each partition's offsets growing request by request, and land in that order.
    [Fact]
    public async Task PipelinedAcksAllProduces_OneSocket_AnsweredInOrderAndAppendedInOrder()
    {
        const int Requests = 50;
        var topic = await CreateTopicAsync("pipe-all", 4);
        var partitions = await PartitionsOfNode0Async(topic);
        Assert.NotEmpty(partitions);
        await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);

        // Request i carries i % 3 + 1 records to each partition: offsets are not a plain multiple of i.
        var frames = Enumerable.Range(0, Requests).SelectMany(i => ProduceFrame(i + 100, topic,
            [.. partitions.Select(p => (p, Batch([.. Enumerable.Range(0, (i % 3) + 1).Select(r => $"p{p}-req{i}-r{r}")])))])).ToArray();
        await connection.SendAsync(frames);

        var expectedBase = partitions.ToDictionary(p => p, _ => 0L);
        for (var i = 0; i < Requests; i++)
        {
            var frame = await connection.ReceiveAsync();
            Assert.True(frame is not null, $"The listener closed the connection before answering request {i}.");
            var (correlationId, answered) = ReadProduceResponse(frame);
            Assert.Equal(i + 100, correlationId);
            foreach (var p in partitions)
            {
                Assert.Equal((OrkaErrorCode.None, expectedBase[p]), answered[p]);
                expectedBase[p] += (i % 3) + 1;
            }
        }

        foreach (var p in partitions)
        {
            var expected = Enumerable.Range(0, Requests).SelectMany(i => Enumerable.Range(0, (i % 3) + 1).Select(r => $"p{p}-req{i}-r{r}"));
            Assert.Equal(expected, await ValuesAsync(topic, p));
        }
    }

    // Intent: a malformed frame in the middle of a pipeline closes that connection after the earlier requests are answered; their records are intact, nothing after it is appended, other connections carry on.
    [Fact]
    public async Task MalformedFrameMidPipeline_EarlierRequestsAnsweredAndKept_ConnectionClosed()
    {
        const int Before = 12;
        var topic = await CreateTopicAsync("pipe-bad", 2);
        var partition = (await PartitionsOfNode0Async(topic)).First();
        await using var connection = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);

        var valid = Enumerable.Range(0, Before).SelectMany(i => ProduceFrame(i, topic, [(partition, Batch($"ok{i}"))]));
        byte[] unknownApi = [0, 0, 0, 8, 0x7F, 0x00, 0, 0, 0, 0, 0, 99]; // api key 32512: no such API
        var after = Enumerable.Range(0, 5).SelectMany(i => ProduceFrame(1000 + i, topic, [(partition, Batch($"late{i}"))]));
        await connection.SendAsync(valid.Concat(unknownApi).Concat(after).ToArray());

        for (var i = 0; i < Before; i++)
        {
            var frame = await connection.ReceiveAsync();
            Assert.True(frame is not null, $"The listener closed the connection before answering valid request {i}.");
            var (correlationId, answered) = ReadProduceResponse(frame);
            Assert.Equal(i, correlationId);
            Assert.Equal((OrkaErrorCode.None, (long)i), answered[partition]);
        }

        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "The malformed frame should close the connection.");
        Assert.Equal(Enumerable.Range(0, Before).Select(i => $"ok{i}"), await ValuesAsync(topic, partition));

        // Another connection is served as usual.
        await using var other = await RawKafkaConnection.OpenAsync(cluster.Endpoints[0]);
        await other.SendAsync(ProduceFrame(7, topic, [(partition, Batch("next"))]));
        var next = ReadProduceResponse((await other.ReceiveAsync())!);
        Assert.Equal((OrkaErrorCode.None, (long)Before), next.Partitions[partition]);
    }

    // Intent: an idempotent librdkafka producer at acks=all with 5 requests in flight, over many small requests to several partitions, loses, duplicates and reorders nothing.
    [Fact]
    public async Task IdempotentProducer_AcksAllFiveInFlight_NoGapsNoDuplicatesOrderKept()
    {
        const int Count = 30_000;
        const int Partitions = 6;
        var topic = await CreateTopicAsync("pipe-idem", Partitions);
        var config = Clients.Producer(cluster);
        config.MaxInFlight = 5;
        config.LingerMs = 0; // many small requests, so that several are in flight at once
        config.BatchNumMessages = 50;
        var delivered = new List<DeliveryResult<Null, string>>(Count);
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            var sends = new List<Task<DeliveryResult<Null, string>>>(Count);
            for (var i = 0; i < Count; i++)
            {
                sends.Add(producer.ProduceAsync(new Confluent.Kafka.TopicPartition(topic, i % Partitions), new Message<Null, string> { Value = $"v{i}" }));
            }

            producer.Flush(Patience);
            delivered.AddRange(await Task.WhenAll(sends).WaitAsync(Patience));
        }

        Assert.All(delivered, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));
        for (var p = 0; p < Partitions; p++)
        {
            var sent = Enumerable.Range(0, Count).Where(i => i % Partitions == p).Select(i => $"v{i}").ToList();
            // Delivery reports: offsets 0..n-1 in send order.
            var reports = delivered.Where(d => d.Partition.Value == p).ToList();
            Assert.Equal(sent, reports.Select(d => d.Message.Value));
            Assert.Equal(Enumerable.Range(0, sent.Count).Select(i => (long)i), reports.Select(d => d.Offset.Value));
            // The log: exactly the sent values, once each, in send order.
            Assert.Equal(sent, await ValuesAsync(topic, p));
        }
    }
}
