using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orka.Client;
using Orka.Records;
using Orka.Sample;

namespace Orka.Broker.Tests;

/// <summary>The client's DI registration, typed producer/consumer, serializers and the README sample, against the two-silo cluster.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class ClientApiTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // Intent: AddOrkaClient connects through the given gateway and cluster id; typed JSON records with
    // headers come back equal, each at the partition/offset ProduceAsync reported.
    [Fact]
    public async Task AddOrkaClient_TypedJsonRecordsWithHeaders_RoundTrip()
    {
        using var host = await StartClientHostAsync();
        var admin = host.Services.GetRequiredService<OrkaAdmin>();
        var factory = host.Services.GetRequiredService<OrkaClientFactory>();
        await admin.CreateTopicAsync("client-typed", partitions: 2);

        var sent = new List<(Order Order, DeliveryResult Delivery)>();
        await using (var producer = factory.CreateProducer(Serializers.Utf8, Serializers.Json<Order>()))
        {
            for (var i = 0; i < 10; i++)
            {
                var order = new Order($"o{i}", $"c{i % 3}", i * 1.5m);
                var headers = new[] { new RecordHeader("n", Encoding.UTF8.GetBytes($"{i}")), new RecordHeader("empty", null) };
                sent.Add((order, await producer.ProduceAsync("client-typed", order.Id, order, headers)));
            }
        }

        // Same key, same partition as the untyped producer and Kafka's Java client would pick.
        Assert.All(sent, s => Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes(s.Order.Id), 2), s.Delivery.Partition.Partition));

        var consumer = factory.CreateConsumer(Deserializers.Utf8, Deserializers.Json<Order>(), new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.Consumer.AssignAsync("client-typed");
        var received = new List<ConsumeResult<string?, Order?>>();
        using var timeout = new CancellationTokenSource(Bound);
        await foreach (var record in consumer.ConsumeAsync(timeout.Token))
        {
            received.Add(record);
            if (received.Count == sent.Count)
            {
                break;
            }
        }

        Assert.Equal(sent.Count, received.Count);
        foreach (var (order, delivery) in sent)
        {
            var record = Assert.Single(received, r => r.Partition == delivery.Partition && r.Offset == delivery.Offset);
            Assert.Equal(order.Id, record.Key);
            Assert.Equal(order, record.Value);
            Assert.Equal(delivery.Timestamp, record.Timestamp);
            Assert.Equal(["n", "empty"], record.Headers.Select(h => h.Key));
            Assert.Equal(order.Id[1..], Encoding.UTF8.GetString(record.Headers[0].Value!.Value.Span));
            Assert.Null(record.Headers[1].Value);
        }
    }

    // Intent: null keys and values survive the built-in serializers as Kafka nulls (a tombstone is not an empty value).
    [Fact]
    public async Task Serializers_NullKeyAndValue_ConsumedAsNulls()
    {
        using var host = await StartClientHostAsync();
        var factory = host.Services.GetRequiredService<OrkaClientFactory>();
        await host.Services.GetRequiredService<OrkaAdmin>().CreateTopicAsync("client-nulls", partitions: 1);
        await using (var producer = factory.CreateProducer(Serializers.Utf8, Serializers.ByteArray))
        {
            await producer.ProduceAsync("client-nulls", null, null);
            await producer.ProduceAsync("client-nulls", "", []);
        }

        var consumer = factory.CreateConsumer(Deserializers.Utf8, Deserializers.ByteArray, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.Consumer.AssignAsync("client-nulls");
        var received = new List<ConsumeResult<string?, byte[]?>>();
        using var timeout = new CancellationTokenSource(Bound);
        await foreach (var record in consumer.ConsumeAsync(timeout.Token))
        {
            received.Add(record);
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Null(received[0].Key);
        Assert.Null(received[0].Value);
        Assert.Equal("", received[1].Key);
        Assert.Equal([], received[1].Value!);
    }

    // Intent: a record bigger than BufferMemory fails at once with MessageTooLarge, and nothing is appended.
    // Intent: the callback overload reports every record exactly once, in the partition's order,
    // with the offset the log gave it, before FlushAsync returns; a record for a topic that does not
    // exist reaches its handler as UnknownTopicOrPartition instead of a result.
    [Fact]
    public async Task Producer_EnqueueWithHandler_ReportsEachRecordOnceInOrderBeforeFlushReturns()
    {
        await new OrkaAdmin(fixture.Cluster.Client).CreateTopicAsync("client-callback", partitions: 1);
        var reports = new List<(int Index, DeliveryResult? Result, Exception? Error)>();
        var calls = 0;
        await using (var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { BatchSize = 4096 }))
        {
            for (var i = 0; i < 500; i++)
            {
                var index = i;
                await producer.EnqueueAsync("client-callback", null, Encoding.UTF8.GetBytes($"r{i}"), (result, error) =>
                {
                    Interlocked.Increment(ref calls);
                    lock (reports)
                    {
                        reports.Add((index, result, error));
                    }
                });
            }

            await producer.FlushAsync();
            Assert.Equal(500, Volatile.Read(ref calls)); // all reported by the time FlushAsync returns

            var missing = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            await producer.EnqueueAsync("client-callback-missing", null, "x"u8.ToArray(), (result, error) => missing.TrySetResult(error));
            var failure = await missing.Task.WaitAsync(Bound);
            Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, Assert.IsType<OrkaException>(failure).Code);
        }

        Assert.Equal(500, calls);
        Assert.All(reports, r => Assert.Null(r.Error));
        Assert.Equal(Enumerable.Range(0, 500), reports.Select(r => r.Index));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), reports.Select(r => r.Result!.Offset));
        var stored = await fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition("client-callback", 0).ToGrainKey())
            .FetchAsync(new FetchRequest(0, 1 << 20, 1, TimeSpan.Zero));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"r{i}"), RecordBatchReader.ReadRecords(stored.Batches).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    // Intent: the overload with a caller's number hands each record's number back to the one shared
    // handler, exactly once and in order, whichever path the record took: the first records wait for
    // the topic's metadata, many wait for buffer space (BufferMemory holds about 60 of them), the
    // rest go straight into a batch; a handler that throws keeps no other record from being reported.
    [Fact]
    public async Task Producer_EnqueueWithState_HandsEachRecordItsNumberOnEveryPath()
    {
        await new OrkaAdmin(fixture.Cluster.Client).CreateTopicAsync("client-callback-state", partitions: 1);
        var reports = new List<(long State, long Offset)>();
        void Handler(DeliveryResult? result, Exception? error, long state)
        {
            lock (reports)
            {
                reports.Add((state, error is null ? result!.Offset : -1));
            }

            if (state % 100 == 7)
            {
                throw new InvalidOperationException("the handler's own failure");
            }
        }

        var waited = 0;
        await using (var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { BatchSize = 2048, BufferMemory = 8192 }))
        {
            for (var i = 0; i < 1000; i++)
            {
                var accepted = producer.EnqueueAsync("client-callback-state", null, new byte[100], Handler, 1_000_000L + i);
                if (!accepted.IsCompleted)
                {
                    waited++;
                }

                await accepted;
            }

            await producer.FlushAsync();
            lock (reports)
            {
                Assert.Equal(1000, reports.Count); // all reported by the time FlushAsync returns
            }
        }

        Assert.True(waited > 0, "no record had to wait for buffer space, so that path went untested");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (1_000_000L + i, (long)i)), reports);
    }

    [Fact]
    public async Task Producer_RecordBiggerThanBufferMemory_FailsWithMessageTooLargeAndAppendsNothing()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("client-too-large").CreateAsync(new TopicSpec("client-too-large", 1));
        await using var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { BufferMemory = 4096 });

        var error = await Assert.ThrowsAsync<OrkaException>(() => producer.ProduceAsync("client-too-large", null, new byte[5000]));

        Assert.Equal(OrkaErrorCode.MessageTooLarge, error.Code);
        await producer.FlushAsync();
        Assert.Equal(0, (await Partition("client-too-large").GetOffsetsAsync()).LogEndOffset);
        Assert.Equal(0, producer.BufferedBytes);
    }

    // Intent: with the buffer full, EnqueueAsync waits (the buffer never holds more than BufferMemory)
    // until acknowledgements free space; the waiting record then goes out after the earlier ones, in order.
    [Fact]
    public async Task Producer_BufferFull_EnqueueWaitsForAcknowledgementsAndKeepsOrder()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("client-pressure").CreateAsync(new TopicSpec("client-pressure", 1));

        // Nothing is sent until FlushAsync: a long linger and a batch size the buffer can never reach.
        var options = new ProducerOptions { BufferMemory = 1000, Linger = TimeSpan.FromMinutes(10), BatchSize = 1 << 20 };
        await using var producer = new OrkaProducer(fixture.Cluster.Client, options);
        var deliveries = new List<Task<DeliveryResult>>();
        ValueTask<Task<DeliveryResult>> blocked;
        var i = 0;
        while (true)
        {
            var enqueue = producer.EnqueueAsync("client-pressure", null, Encoding.UTF8.GetBytes($"{i++:D100}"));
            Assert.True(producer.BufferedBytes <= options.BufferMemory, $"buffer holds {producer.BufferedBytes} bytes");
            if (!enqueue.IsCompleted)
            {
                blocked = enqueue;
                break;
            }

            deliveries.Add(await enqueue);
            Assert.True(i < 100, "a 1000-byte buffer took 100 records of 100 bytes without pushing back");
        }

        // Only acknowledgements can free space, and none can come before the flush sends the batch.
        Assert.False(blocked.IsCompleted);
        var more = producer.EnqueueAsync("client-pressure", null, Encoding.UTF8.GetBytes($"{i++:D100}"));
        Assert.False(more.IsCompleted, "a record overtook one that waits for space");

        var flushed = producer.FlushAsync();
        deliveries.Add(await blocked.AsTask().WaitAsync(Bound));
        deliveries.Add(await more.AsTask().WaitAsync(Bound));
        await flushed.WaitAsync(Bound);

        var offsets = (await Task.WhenAll(deliveries)).Select(d => d.Offset).ToList();
        Assert.Equal(Enumerable.Range(0, i).Select(n => (long)n), offsets);
        var fetched = await Partition("client-pressure").FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.Equal(Enumerable.Range(0, i).Select(n => $"{n:D100}"), Batches.Values(fetched.Batches));
        Assert.Equal(0, producer.BufferedBytes);
    }

    // Intent: a record that cannot get buffer space within MaxBlock fails with RequestTimedOut and is never produced.
    [Fact]
    public async Task Producer_BufferFullPastMaxBlock_FailsWithRequestTimedOut()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("client-max-block").CreateAsync(new TopicSpec("client-max-block", 1));
        var options = new ProducerOptions { BufferMemory = 300, Linger = TimeSpan.FromMinutes(10), BatchSize = 1 << 20, MaxBlock = TimeSpan.FromMilliseconds(200) };
        await using var producer = new OrkaProducer(fixture.Cluster.Client, options);
        var first = await producer.EnqueueAsync("client-max-block", null, new byte[200]);

        var error = await Assert.ThrowsAsync<OrkaException>(async () => await producer.EnqueueAsync("client-max-block", null, new byte[200]));

        Assert.Equal(OrkaErrorCode.RequestTimedOut, error.Code);
        await producer.FlushAsync();
        Assert.Equal(0, (await first).Offset);
        Assert.Equal(1, (await Partition("client-max-block").GetOffsetsAsync()).LogEndOffset);
    }

    // Intent: cancelling a record that waits for space withdraws it (never produced) and lets a later record that fits go in.
    [Fact]
    public async Task Producer_CancelWhileWaitingForSpace_WithdrawsRecordOnly()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("client-cancel").CreateAsync(new TopicSpec("client-cancel", 1));
        var options = new ProducerOptions { BufferMemory = 300, Linger = TimeSpan.FromMinutes(10), BatchSize = 1 << 20 };
        await using var producer = new OrkaProducer(fixture.Cluster.Client, options);
        var first = await producer.EnqueueAsync("client-cancel", null, Encoding.UTF8.GetBytes(new string('a', 200)));
        using var cancel = new CancellationTokenSource();
        var waiting = producer.EnqueueAsync("client-cancel", null, Encoding.UTF8.GetBytes(new string('b', 200)), cancellationToken: cancel.Token);
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        var small = producer.EnqueueAsync("client-cancel", null, "c"u8.ToArray());
        Assert.True(small.IsCompleted, "a record that fits waited behind a withdrawn one");
        await producer.FlushAsync();

        Assert.Equal(0, (await first).Offset);
        Assert.Equal(1, (await await small).Offset);
        var fetched = await Partition("client-cancel").FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.Equal([new string('a', 200), "c"], Batches.Values(fetched.Batches));
    }

    // Intent: disposing a producer delivers records still lingering in partial batches.
    [Fact]
    public async Task Producer_DisposeWithLingeringRecords_DeliversThem()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("client-dispose").CreateAsync(new TopicSpec("client-dispose", 1));
        var producer = new OrkaProducer(fixture.Cluster.Client, new ProducerOptions { Linger = TimeSpan.FromMinutes(10) });
        var deliveries = Enumerable.Range(0, 5).Select(n => producer.ProduceAsync("client-dispose", null, Encoding.UTF8.GetBytes($"{n}"))).ToList();
        Assert.DoesNotContain(deliveries, d => d.IsCompleted);

        await producer.DisposeAsync();

        Assert.All(deliveries, d => Assert.True(d.IsCompletedSuccessfully));
        Assert.Equal(5, (await Partition("client-dispose").GetOffsetsAsync()).LogEndOffset);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => producer.ProduceAsync("client-dispose", null, [1]));
    }

    // Intent: the README's sample (samples/Orka.Sample) runs as printed against a real cluster.
    [Fact]
    public async Task ReadmeSample_AgainstCluster_ReadsBackItsOrders()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var orders = await OrderSample.RunAsync("client-sample", Connect, timeout.Token);

        Assert.Equal(["order-1", "order-2", "order-3"], orders.Select(o => o.Id).Order());
        var committed = await fixture.Grains.GetGrain<IConsumerGroupGrain>("billing").GetCommittedAsync("client-sample");
        Assert.Equal(3, committed.Sum(c => c.Offset));
    }

    private async Task<IHost> StartClientHostAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOrkaClient(Connect);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(Bound);
        await host.StartAsync(timeout.Token);
        return host;
    }

    /// <summary>The test cluster's first gateway and ids.</summary>
    private void Connect(OrkaClientOptions options)
    {
        options.Gateways = [fixture.Cluster.Primary!.GatewayAddress!.Endpoint.ToString()];
        options.ClusterId = fixture.Cluster.Options.ClusterId;
        options.ServiceId = fixture.Cluster.Options.ServiceId;
    }

    private IPartitionGrain Partition(string topic) =>
        fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey());
}
