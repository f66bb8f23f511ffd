using System.Buffers.Binary;
using Orka.Kafka.Protocol;
using Orka.Records;

namespace Orka.Kafka.Tests;

/// <summary>
/// Requests a hostile client sends to exhaust a node (issue 14), each against a real node with
/// raw sockets; after each, the node must still answer a normal request.
/// </summary>
public sealed class HostileRequestTests(LimitedNodeFixture node) : IClassFixture<LimitedNodeFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>Asserts the node answers an ApiVersions request on a new connection.</summary>
    private async Task AssertServesAsync()
    {
        await using var client = await RawKafkaConnection.OpenAsync(node.Endpoint);
        await client.SendAsync(RawKafkaConnection.Frame((short)ApiKey.ApiVersions, 0, 77, _ => { }));
        var response = await client.ReceiveAsync(Generous);
        Assert.NotNull(response);
        Assert.Equal(77, BinaryPrimitives.ReadInt32BigEndian(response));
    }

    private async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        await node.Grains.GetGrain<ITopicGrain>(name).CreateAsync(new TopicSpec(name, partitions));
        return name;
    }

    /// <summary>A Produce v3 frame (size prefix included) whose one topic's partition array claims as many entries as there are bytes left, all zeros.</summary>
    private static byte[] ProduceWithArrayCountOfRemainingBytes(int frameSize)
    {
        var head = RawKafkaConnection.Frame((short)ApiKey.Produce, 3, 5, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt16(1);
            w.WriteInt32(10_000);
            w.WriteArrayLength(1);
            w.WriteString("t");
        });
        var frame = new byte[frameSize + 4];
        head.CopyTo(frame, 0);
        BinaryPrimitives.WriteInt32BigEndian(frame, frameSize);
        var remaining = frame.Length - head.Length - 4;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(head.Length), remaining);
        return frame;
    }

    // Intent: a Produce whose partition count equals the bytes left (probe: +3.2 GB committed per 100 MiB frame) closes its connection without sizing a list from the count, and the node serves on.
    [Fact]
    public async Task ProduceArrayCountOfRemainingBytes_ConnectionClosed_NodeServes()
    {
        await using var hostile = await RawKafkaConnection.OpenAsync(node.Endpoint);
        await hostile.SendAsync(ProduceWithArrayCountOfRemainingBytes(LimitedNodeFixture.MaxRequestBytes));
        Assert.True(await hostile.IsClosedByServerAsync(Generous), "The listener should close a connection whose request claims more array elements than it may hold.");
        await Eventually.HoldsAsync(() => Task.FromResult(node.RequestBudget.Used == 0), Generous, "the hostile frame's bytes to go back to the request budget");
        await AssertServesAsync();
    }

    // Intent: the reader allocates for the elements actually present, not for the count on the wire (measured on this thread).
    [Fact]
    public void ReadArray_CountFarAboveElementsPresent_AllocatesForPresentOnly()
    {
        const int claimed = 1_000_000;
        var bytes = new byte[4 + claimed]; // the count, an empty string, then a string of length -5
        BinaryPrimitives.WriteInt32BigEndian(bytes, claimed);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(6), -5);
        var reader = new KafkaReader(bytes) { MaxArrayElements = int.MaxValue };
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<KafkaProtocolException>(() => reader.ReadArray(r => r.ReadString()));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // A list sized from the count would take 8 MB here.
        Assert.True(allocated < 64 * 1024, $"Reading a two-element array that claims {claimed} allocated {allocated} bytes.");
    }

    // Intent: the element count of one request is bounded, so a frame cannot make the parser build millions of elements.
    [Fact]
    public void ReadArray_MoreElementsThanTheRequestMayHold_RefusedBeforeReading()
    {
        var bytes = new byte[4 + 1000];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 1000);
        var reader = new KafkaReader(bytes) { MaxArrayElements = 999 };
        var read = 0;
        var error = Assert.Throws<KafkaProtocolException>(() => reader.ReadArray(r => { read++; return r.ReadInt8(); }));
        Assert.Contains("MaxRequestArrayElements", error.Message);
        Assert.Equal(0, read);
    }

    // Intent: connections stalling in the middle of large frames (probe: 16 x 99 MiB held 1.6 GB for ever) hold at most the request budget, wait for it, and are closed by the read timeout.
    [Fact]
    public async Task StalledLargeFrames_HoldAtMostTheBudget_ClosedByReadTimeout()
    {
        const int stallers = 8;
        const int frameSize = 3 * 1024 * 1024; // 8 MiB budget: two fit at once
        var connections = new List<RawKafkaConnection>();
        var sends = new List<Task>();
        try
        {
            for (var i = 0; i < stallers; i++)
            {
                var connection = await RawKafkaConnection.OpenAsync(node.Endpoint);
                connections.Add(connection);
                var partial = new byte[frameSize - 1024 + 4];
                BinaryPrimitives.WriteInt32BigEndian(partial, frameSize);
                sends.Add(connection.SendAsync(partial)); // not awaited: the node may not read it yet
            }

            await Eventually.HoldsAsync(() => Task.FromResult(node.RequestBudget.Waiting > 0), Generous,
                "stalled frames beyond the budget to wait for it");
            Assert.True(node.RequestBudget.Used <= LimitedNodeFixture.Budget, $"{node.RequestBudget.Used} bytes reserved, over the budget.");

            foreach (var connection in connections)
            {
                Assert.True(await connection.IsClosedByServerAsync(Generous), "A connection whose frame never completes should be closed by the request read timeout.");
            }

            Assert.True(node.RequestBudget.PeakUsed <= LimitedNodeFixture.Budget, $"Peak {node.RequestBudget.PeakUsed} bytes reserved, over the budget.");
            await Eventually.HoldsAsync(() => Task.FromResult(node.RequestBudget.Used == 0 && node.RequestBudget.Waiting == 0), Generous,
                "every stalled frame's bytes to go back to the request budget");
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }

            foreach (var send in sends)
            {
                try
                {
                    await send;
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
                {
                    // closed by the node mid-send: expected
                }
            }
        }

        await AssertServesAsync();
    }

    // Intent: a Fetch naming one partition 50 times (probe: +1 GB for a 849-byte request) reads and answers it once.
    [Fact]
    public async Task FetchSamePartitionFiftyTimes_AnsweredOnce()
    {
        var topic = await CreateTopicAsync("fetch-dup", 1);
        await using var client = await RawKafkaConnection.OpenAsync(node.Endpoint);
        await client.SendAsync(Produce(1, topic, [(0, Batch(1000))]));
        Assert.NotNull(await client.ReceiveAsync(Generous));

        await client.SendAsync(RawKafkaConnection.Frame((short)ApiKey.Fetch, 7, 2, w =>
        {
            w.WriteInt32(-1);
            w.WriteInt32(0); // max wait
            w.WriteInt32(1);
            w.WriteInt32(64 * 1024 * 1024);
            w.WriteInt8(0);
            w.WriteInt32(0); // session id
            w.WriteInt32(-1); // session epoch
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(50);
            for (var i = 0; i < 50; i++)
            {
                w.WriteInt32(0);
                w.WriteInt64(0);
                w.WriteInt64(-1); // log start offset
                w.WriteInt32(1024 * 1024);
            }

            w.WriteArrayLength(0); // forgotten topics
        }));
        var response = await client.ReceiveAsync(Generous);
        Assert.NotNull(response);
        var reader = new KafkaReader(response);
        Assert.Equal(2, reader.ReadInt32());
        _ = reader.ReadInt32(); // throttle
        Assert.Equal(OrkaErrorCode.None, (OrkaErrorCode)reader.ReadInt16());
        _ = reader.ReadInt32(); // session id
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(0, reader.ReadInt32());
        Assert.Equal(OrkaErrorCode.None, (OrkaErrorCode)reader.ReadInt16());
        _ = reader.ReadInt64(); // high watermark
        _ = reader.ReadInt64(); // last stable offset
        _ = reader.ReadInt64(); // log start offset
        _ = reader.ReadArrayLength(); // aborted transactions
        Assert.True(reader.ReadBytes().Length > 1000, "The one answer should carry the record.");
        Assert.Equal(0, reader.Remaining);
    }

    // Intent: a Produce naming one partition twice appends neither entry and answers each INVALID_REQUEST.
    [Fact]
    public async Task ProduceSamePartitionTwice_EachEntryInvalidRequest_NothingAppended()
    {
        var topic = await CreateTopicAsync("produce-dup", 1);
        await using var client = await RawKafkaConnection.OpenAsync(node.Endpoint);
        await client.SendAsync(Produce(3, topic, [(0, Batch(10)), (0, Batch(10))]));
        var response = await client.ReceiveAsync(Generous);
        Assert.NotNull(response);
        var reader = new KafkaReader(response);
        Assert.Equal(3, reader.ReadInt32());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(2, reader.ReadArrayLength());
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(0, reader.ReadInt32());
            Assert.Equal(OrkaErrorCode.InvalidRequest, (OrkaErrorCode)reader.ReadInt16());
            Assert.Equal(-1, reader.ReadInt64());
            _ = reader.ReadInt64();
        }

        var offsets = await node.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey()).GetOffsetsAsync();
        Assert.Equal(0, offsets.LogEndOffset);
    }

    // Intent: commit metadata above offset.metadata.max.bytes (probe: a 20 MB string was stored) is refused with OFFSET_METADATA_TOO_LARGE over the Kafka protocol, and nothing is stored.
    [Fact]
    public async Task OffsetCommitMetadataOver4096Bytes_OffsetMetadataTooLarge()
    {
        var topic = await CreateTopicAsync("commit-meta", 1);
        var group = $"g-{Guid.NewGuid():N}";
        Assert.Equal([OrkaErrorCode.OffsetMetadataTooLarge], await CommitAsync(group, topic, [0], new string('m', 4097)));
        Assert.Empty(await node.Grains.GetGrain<IConsumerGroupGrain>(group).GetCommittedAsync());
        Assert.Equal([OrkaErrorCode.None], await CommitAsync(group, topic, [0], new string('m', 4096)));
    }

    // Intent: commits for a topic that does not exist, or a partition past a topic's last (probe: 200,000 accepted), are refused with UNKNOWN_TOPIC_OR_PARTITION.
    [Fact]
    public async Task OffsetCommitUnknownTopicOrPartition_Refused()
    {
        var topic = await CreateTopicAsync("commit-known", 2);
        var group = $"g-{Guid.NewGuid():N}";
        Assert.All(await CommitAsync(group, $"missing-{Guid.NewGuid():N}", [.. Enumerable.Range(0, 1000)], null),
            e => Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, e));
        Assert.Equal([OrkaErrorCode.UnknownTopicOrPartition, OrkaErrorCode.UnknownTopicOrPartition], await CommitAsync(group, topic, [1, 2], null));
        Assert.Empty(await node.Grains.GetGrain<IConsumerGroupGrain>(group).GetCommittedAsync());

        // The native path meets the same check in the group grain.
        var native = await Assert.ThrowsAsync<OrkaException>(() => node.Grains.GetGrain<IConsumerGroupGrain>(group)
            .CommitAsync([new CommittedOffset(new TopicPartition("no-such-topic", 0), 1)]));
        Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, native.Code);
        Assert.Equal([OrkaErrorCode.None, OrkaErrorCode.None], await CommitAsync(group, topic, [0, 1], null));
    }

    /// <summary>A simple (generation -1) OffsetCommit v2 of offset 1 for each partition; the error of each partition.</summary>
    private async Task<OrkaErrorCode[]> CommitAsync(string group, string topic, int[] partitions, string? metadata)
    {
        await using var client = await RawKafkaConnection.OpenAsync(node.Endpoint);
        await client.SendAsync(RawKafkaConnection.Frame((short)ApiKey.OffsetCommit, 2, 8, w =>
        {
            w.WriteString(group);
            w.WriteInt32(-1);
            w.WriteString("");
            w.WriteInt64(-1);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(partitions.Length);
            foreach (var partition in partitions)
            {
                w.WriteInt32(partition);
                w.WriteInt64(1);
                w.WriteNullableString(metadata);
            }
        }));
        var response = await client.ReceiveAsync(Generous);
        Assert.NotNull(response);
        var reader = new KafkaReader(response);
        Assert.Equal(8, reader.ReadInt32());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        var errors = new OrkaErrorCode[reader.ReadArrayLength()];
        for (var i = 0; i < errors.Length; i++)
        {
            _ = reader.ReadInt32();
            errors[i] = (OrkaErrorCode)reader.ReadInt16();
        }

        return errors;
    }

    private static byte[] Produce(int correlationId, string topic, (int Partition, byte[] Records)[] partitions) =>
        RawKafkaConnection.Frame((short)ApiKey.Produce, 3, correlationId, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt16(1);
            w.WriteInt32(10_000);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(partitions.Length);
            foreach (var (partition, records) in partitions)
            {
                w.WriteInt32(partition);
                w.WriteBytes(records);
            }
        });

    private static byte[] Batch(int valueBytes)
    {
        var builder = new RecordBatchBuilder();
        builder.Append(1_700_000_000_000, default, new byte[valueBytes], keyIsNull: true);
        return builder.Build();
    }
}
