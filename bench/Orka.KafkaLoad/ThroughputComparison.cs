using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orka.Client;

namespace Orka.KafkaLoad;

/// <summary>
/// Producer and consumer throughput of librdkafka through the Kafka listener next to the native
/// Orka client through Orleans, against the same silo in the same run: 100 B and 1 KiB records,
/// acks=1 and acks=all (idempotent for librdkafka, as the native producer always is). Each case
/// uses a fresh topic of <c>Partitions</c> partitions; a consumer reads it back from the start.
/// </summary>
internal static class ThroughputComparison
{
    private const int Partitions = 4;

    /// <summary>1,024 distinct 4-byte keys, so both clients spread records over the partitions by key.</summary>
    private static readonly byte[][] Keys = [.. Enumerable.Range(0, 1024).Select(BitConverter.GetBytes)];

    public static async Task<int> RunAsync(string[] args)
    {
        var bootstrap = args.Length > 0 ? args[0] : "127.0.0.1:9092";
        var gateway = args.Length > 1 ? args[1] : "127.0.0.1:30000";
        var records = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200_000;

        using var host = new HostBuilder().UseOrleansClient(c => c.UseOrkaGateways(OrkaEndpoints.ParseGateways(gateway))).Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IClusterClient>();
        var admin = new OrkaAdmin(client);
        Console.WriteLine($"librdkafka {Library.VersionString}; Kafka {bootstrap}; Orleans gateway {gateway}; {records:N0} records per case; {Partitions} partitions");
        Console.WriteLine("| size | acks | client | produce records/s | produce MB/s | consume records/s | consume MB/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var size in new[] { 100, 1024 })
        {
            var count = size == 100 ? records : records / 4;
            foreach (var acks in new[] { Orka.Acks.Leader, Orka.Acks.All })
            {
                var kafkaTopic = $"cmp-k-{size}-{(int)acks}-{DateTime.UtcNow:HHmmss}";
                await admin.CreateTopicAsync(kafkaTopic, Partitions);
                var kafkaProduce = ProduceKafka(bootstrap, kafkaTopic, count, size, acks);
                var kafkaConsume = ConsumeKafka(bootstrap, kafkaTopic, count);
                Row(size, acks, "librdkafka", count, kafkaProduce, kafkaConsume);

                var nativeTopic = $"cmp-n-{size}-{(int)acks}-{DateTime.UtcNow:HHmmss}";
                await admin.CreateTopicAsync(nativeTopic, Partitions);
                var nativeProduce = await ProduceNativeAsync(client, nativeTopic, count, size, acks);
                var nativeConsume = await ConsumeNativeAsync(client, nativeTopic, count);
                Row(size, acks, "native", count, nativeProduce, nativeConsume);
            }
        }

        await host.StopAsync();
        return 0;
    }

    private static void Row(int size, Orka.Acks acks, string name, int count, TimeSpan produce, TimeSpan consume) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {size} B | {(acks == Orka.Acks.All ? "all" : "1")} | {name} | {count / produce.TotalSeconds:N0} | {(double)count * size / produce.TotalSeconds / 1e6:F1} | {count / consume.TotalSeconds:N0} | {(double)count * size / consume.TotalSeconds / 1e6:F1} |"));

    private static TimeSpan ProduceKafka(string bootstrap, string topic, int count, int size, Orka.Acks acks)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = acks == Orka.Acks.All ? Confluent.Kafka.Acks.All : Confluent.Kafka.Acks.Leader,
            EnableIdempotence = acks == Orka.Acks.All,
            LingerMs = 5,
            BatchSize = 64 * 1024,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        var value = new byte[size];
        long failed = 0;
        string? firstError = null;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[]?, byte[]> { Key = Keys[i % Keys.Length], Value = value }, d =>
                    {
                        if (d.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                            firstError ??= d.Error.ToString();
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(5));
        watch.Stop();
        return failed == 0 ? watch.Elapsed : throw new InvalidOperationException($"{failed} librdkafka deliveries failed, first: {firstError}");
    }

    private static TimeSpan ConsumeKafka(string bootstrap, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "cmp-unused",
            EnableAutoCommit = false,
            FetchMaxBytes = 16 << 20,
            MaxPartitionFetchBytes = 1 << 20,
        }).Build();
        var watch = Stopwatch.StartNew();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var read = 0;
        while (read < count && watch.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false })
            {
                read++;
            }
        }

        watch.Stop();
        return read == count ? watch.Elapsed : throw new InvalidOperationException($"librdkafka read {read} of {count}.");
    }

    private static async Task<TimeSpan> ProduceNativeAsync(IClusterClient client, string topic, int count, int size, Orka.Acks acks)
    {
        var value = new byte[size];
        var watch = Stopwatch.StartNew();
        await using (var producer = new OrkaProducer(client, new ProducerOptions { Acks = acks, Linger = TimeSpan.FromMilliseconds(5) }))
        {
            var pending = new List<Task<Orka.Client.DeliveryResult>>(count);
            for (var i = 0; i < count; i++)
            {
                pending.Add(producer.ProduceAsync(topic, Keys[i % Keys.Length], value));
            }

            await producer.FlushAsync();
            await Task.WhenAll(pending);
        }

        watch.Stop();
        return watch.Elapsed;
    }

    private static async Task<TimeSpan> ConsumeNativeAsync(IClusterClient client, string topic, int count)
    {
        var consumer = new OrkaConsumer(client, new ConsumerOptions { AutoOffsetReset = Orka.Client.AutoOffsetReset.Earliest });
        var watch = Stopwatch.StartNew();
        await consumer.AssignAsync(topic);
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await foreach (var _ in consumer.ConsumeAsync(timeout.Token))
        {
            if (++read == count)
            {
                break;
            }
        }

        watch.Stop();
        return watch.Elapsed;
    }
}
