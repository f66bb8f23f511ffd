using System.Diagnostics;
using System.Globalization;
using Orka.Client;
using Orka.Storage;
using Orleans.TestingHost;

namespace Orka.Benchmarks;

/// <summary>
/// End-to-end produce throughput and latency of the native client (<see cref="OrkaProducer"/>) against
/// an in-process Orleans cluster running the broker over real TCP on loopback, next to the storage
/// engine's own append of the same records in 64 KiB batches (the producer's batch size) in the same
/// run: plain appends for acks=1, and for acks=all appends with a flush after each batch on as many
/// partitions as the topic has, concurrently (what the broker does). Saturated latency is per
/// record, from the produce call to its acknowledgement, with the producer kept full (as Kafka's
/// producer-perf-test with unlimited throughput): mostly time waiting in the producer's buffer.
/// Serial latency is one record at a time, linger 0: the round trip of a lone record. Catch-up is
/// an <see cref="OrkaConsumer"/> reading a produced topic from the start, next to the engine's
/// <c>PartitionLog.ReadAsync</c> of the same records in 1 MiB reads.
/// </summary>
public static class ClientThroughputRunner
{
    private const int Repeats = 3;
    private const int Partitions = 6;

    public static async Task<int> RunAsync(string[] args)
    {
        var silos = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        Console.WriteLine($"Orka native-client produce; {Environment.ProcessorCount} cores, {silos} silo(s) in this process over loopback TCP, " +
            $"{Partitions} partitions, median of {Repeats}; MB = 10^6 bytes of record values");
        Console.WriteLine();
        var (started, root) = await BenchCluster.StartAsync(ConnectionTransportType.TcpSocket, silos);
        try
        {
            await using var cluster = started;

            Console.WriteLine("## Saturated produce");
            Console.WriteLine();
            Row("record B", "acks", "records", "storage MB/s", "client rec/s", "client MB/s", "client/storage", "p50 ms", "p99 ms");
            Row("---:", ":---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:");
            var run = 0;
            var produced = new Dictionary<int, string>();
            foreach (var (recordSize, records) in new[] { (100, 400_000), (1024, 100_000) })
            {
                foreach (var acks in new[] { Acks.Leader, Acks.All })
                {
                    var storage = new List<double>();
                    var client = new List<ClientRun>();
                    for (var r = 0; r < Repeats; r++)
                    {
                        storage.Add(await StorageAppendAsync(recordSize, records, acks == Acks.All ? Partitions : 0));
                        produced[recordSize] = $"bench-{run}";
                        client.Add(await ProduceAsync(cluster.Client, $"bench-{run++}", recordSize, records, acks));
                    }

                    var storageMBs = MBs((long)recordSize * records, Median(storage));
                    var seconds = Median(client.Select(c => c.Seconds).ToList());
                    var clientMBs = MBs((long)recordSize * records, seconds);
                    Row($"{recordSize}", acks == Acks.All ? "all" : "1", $"{records}", $"{storageMBs:F0}", $"{records / seconds:F0}", $"{clientMBs:F1}",
                        $"{clientMBs / storageMBs:F2}", $"{Median(client.Select(c => c.P50).ToList()):F1}", $"{Median(client.Select(c => c.P99).ToList()):F1}");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"storage: PartitionLog.AppendAsync of the same records in 64 KiB batches; acks=1: one partition, no flush; acks=all: {Partitions} partitions at once, FlushAsync after each batch.");
            Console.WriteLine();
            Console.WriteLine("## Consumer catch-up (a topic produced above, read from the start; page cache)");
            Console.WriteLine();
            Row("record B", "records", "storage MB/s", "consumer rec/s", "consumer MB/s", "consumer/storage");
            Row("---:", "---:", "---:", "---:", "---:", "---:");
            foreach (var (recordSize, records) in new[] { (100, 400_000), (1024, 100_000) })
            {
                var storage = new List<double>();
                var consumer = new List<double>();
                for (var r = 0; r < Repeats; r++)
                {
                    storage.Add(await StorageReadAsync(recordSize, records));
                    consumer.Add(await ConsumeAsync(cluster.Client, produced[recordSize], records + 1)); // + the warm-up record
                }

                double storageS = Median(storage), consumerS = Median(consumer);
                Row($"{recordSize}", $"{records}", $"{MBs((long)recordSize * records, storageS):F0}", $"{records / consumerS:F0}",
                    $"{MBs((long)recordSize * records, consumerS):F1}", $"{storageS / consumerS:F2}");
            }

            Console.WriteLine();
            Console.WriteLine("storage: PartitionLog.ReadAsync, 1 MiB per call, over one partition holding the same records in 64 KiB batches.");
            Console.WriteLine();
            Console.WriteLine("## Serial produce (one record at a time, linger 0, 2000 records after 200 warm-up)");
            Console.WriteLine();
            Row("record B", "acks", "p50 ms", "p99 ms");
            Row("---:", ":---:", "---:", "---:");
            foreach (var recordSize in new[] { 100, 1024 })
            {
                foreach (var acks in new[] { Acks.Leader, Acks.All })
                {
                    var (p50, p99) = await SerialAsync(cluster.Client, $"bench-{run++}", recordSize, acks);
                    Row($"{recordSize}", acks == Acks.All ? "all" : "1", $"{p50:F2}", $"{p99:F2}");
                }
            }

            return 0;
        }
        finally
        {
            BenchData.DeleteDirectory(root);
        }
    }

    private static async Task<ClientRun> ProduceAsync(IClusterClient client, string topic, int recordSize, int records, Acks acks)
    {
        await new OrkaAdmin(client).CreateTopicAsync(topic, Partitions);
        var value = new byte[recordSize];
        Random.Shared.NextBytes(value);
        var latencies = new double[records];
        var tasks = new Task[records];
        await using var producer = new OrkaProducer(client, new ProducerOptions { Acks = acks });

        // Warm up the topic's metadata and the producer id, untimed.
        await producer.ProduceAsync(topic, null, value);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var delivery = await producer.EnqueueAsync(topic, null, value);
            var index = i;
            tasks[i] = delivery.ContinueWith(
                _ => latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await producer.FlushAsync();
        await Task.WhenAll(tasks);
        var seconds = watch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new ClientRun(seconds, latencies[records / 2], latencies[(int)(records * 0.99)]);
    }

    private static async Task<(double P50, double P99)> SerialAsync(IClusterClient client, string topic, int recordSize, Acks acks)
    {
        await new OrkaAdmin(client).CreateTopicAsync(topic, Partitions);
        var value = new byte[recordSize];
        await using var producer = new OrkaProducer(client, new ProducerOptions { Acks = acks, Linger = TimeSpan.Zero });
        var latencies = new double[2000];
        for (var i = -200; i < latencies.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await producer.ProduceAsync(topic, null, value);
            if (i >= 0)
            {
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }

        Array.Sort(latencies);
        return (latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)]);
    }

    private static async Task<double> ConsumeAsync(IClusterClient client, string topic, int records)
    {
        var consumer = new OrkaConsumer(client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.AssignAsync(topic);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();
        var count = 0;
        await foreach (var _ in consumer.ConsumeAsync(timeout.Token))
        {
            if (++count == records)
            {
                break;
            }
        }

        return count == records ? watch.Elapsed.TotalSeconds : throw new InvalidOperationException($"Read {count} of {records} records from {topic}.");
    }

    private static async Task<double> StorageReadAsync(int recordSize, int records)
    {
        var directory = BenchData.NewTempDirectory("client-read");
        try
        {
            await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory });
            var log = await manager.GetOrCreateLogAsync("bench", 0, Guid.NewGuid(), BenchData.Config);
            var perBatch = BenchData.RecordsPerBatch(recordSize, 64 * BenchData.KiB);
            var batch = BenchData.BuildBatch(recordSize, 64 * BenchData.KiB);
            for (var written = 0; written < records; written += perBatch)
            {
                await log.AppendAsync(batch);
            }

            var watch = Stopwatch.StartNew();
            for (long offset = 0; offset < log.LogEndOffset;)
            {
                var data = await log.ReadAsync(offset, BenchData.MiB);
                offset = BenchData.NextOffset(data.Batches.Span);
            }

            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            BenchData.DeleteDirectory(directory);
        }
    }

    /// <summary>
    /// The storage engine alone: <paramref name="durablePartitions"/> 0 appends to one partition
    /// without flushing; otherwise that many partitions append and flush per batch concurrently.
    /// </summary>
    private static async Task<double> StorageAppendAsync(int recordSize, int records, int durablePartitions)
    {
        var directory = BenchData.NewTempDirectory("client-storage");
        try
        {
            await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory });
            var perBatch = BenchData.RecordsPerBatch(recordSize, 64 * BenchData.KiB);
            var batch = BenchData.BuildBatch(recordSize, 64 * BenchData.KiB);
            var batches = (records + perBatch - 1) / perBatch;
            var logs = new PartitionLog[Math.Max(durablePartitions, 1)];
            for (var p = 0; p < logs.Length; p++)
            {
                logs[p] = await manager.GetOrCreateLogAsync("bench", p, Guid.NewGuid(), BenchData.Config);
            }

            var watch = Stopwatch.StartNew();
            await Task.WhenAll(logs.Select((log, p) => Task.Run(async () =>
            {
                for (var b = p; b < batches; b += logs.Length)
                {
                    await log.AppendAsync(batch);
                    if (durablePartitions > 0)
                    {
                        await log.FlushAsync();
                    }
                }
            })));
            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            BenchData.DeleteDirectory(directory);
        }
    }

    private static double MBs(long bytes, double seconds) => bytes / 1e6 / seconds;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void Row(params string[] cells) => Console.WriteLine("| " + string.Join(" | ", cells) + " |");

    private sealed record ClientRun(double Seconds, double P50, double P99);
}
