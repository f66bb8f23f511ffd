using System.Diagnostics;
using Orka.Storage;

namespace Orka.Benchmarks;

/// <summary>
/// A plain Stopwatch runner (no BenchmarkDotNet) for the numbers an operator asks for: MB/s of
/// append, catch-up read and durable (group-commit) append, and the time to recover a 1 GiB
/// segment, each next to raw file I/O of the same bytes measured in the same run, and as a ratio.
/// Each case runs <see cref="Repeats"/> times, raw and log interleaved; the median is printed.
/// </summary>
public static class ThroughputRunner
{
    private const int Repeats = 5;
    private const int AppendMiB = 256;
    private const int ReadMiB = 512;
    private const int CommitBatches = 256;
    private const int RecoveryMiB = 1024;

    /// <summary>Runs every section, or only those named in <paramref name="args"/> (append, read, commit, recovery).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        bool Wants(string section) => args.Length == 0 || args.Contains(section, StringComparer.OrdinalIgnoreCase);
        var total = Stopwatch.StartNew();
        Console.WriteLine($"Orka.Storage throughput; {Environment.ProcessorCount} cores, temp dir {Path.GetTempPath()}, median of {Repeats}; MB = 10^6 bytes");
        Console.WriteLine();

        if (Wants("append"))
        {
            await AppendAsync();
        }

        if (Wants("read"))
        {
            await ReadAsync();
        }

        if (Wants("commit"))
        {
            await DurableAppendAsync();
        }

        if (Wants("recovery"))
        {
            Console.WriteLine();
            Console.WriteLine($"## Recovery of a {RecoveryMiB} MiB segment (1 KiB records, 1 MiB batches; clean-shutdown marker removed; page cache warm)");
            Console.WriteLine();
            await RecoveryAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"Total runtime {total.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static async Task AppendAsync()
    {
        Console.WriteLine($"## Append ({AppendMiB} MiB per run, one batch per AppendAsync, no fsync)");
        Console.WriteLine();
        Console.WriteLine("log/raw: ratio of the medians. paired: median of the per-repeat ratios (each log run against the raw run just before it).");
        Console.WriteLine("CPU: the same ratio from the process's CPU time (user + system) instead of wall time: writes into the page cache are CPU-bound,");
        Console.WriteLine("so on an idle machine this is what the wall-time ratio would be, and it does not move with other processes' load.");
        Console.WriteLine("alloc B/append: bytes allocated by the whole process per AppendAsync (GC.GetTotalAllocatedBytes), median run; raw: per write.");
        Console.WriteLine();
        Row("record B", "batch", "raw MB/s", "log MB/s", "log/raw", "paired", "CPU log/raw", "raw alloc B/write", "log alloc B/append");
        Row("---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:");
        foreach (var (record, batch) in Shapes())
        {
            var bytes = BenchData.BuildBatch(record, batch);
            var count = (int)(AppendMiB * (long)BenchData.MiB / bytes.Length);
            var raw = new List<double>();
            var log = new List<double>();
            var rawCpu = new List<double>();
            var logCpu = new List<double>();
            var rawAlloc = new List<double>();
            var logAlloc = new List<double>();
            for (var r = 0; r < Repeats; r++)
            {
                raw.Add(await TimeInDirectoryAsync("append-raw", async dir =>
                {
                    var (cpu, allocated) = (CpuSeconds(), GC.GetTotalAllocatedBytes(precise: true));
                    await BenchData.RawWriteAsync(Path.Combine(dir, "raw.log"), bytes, count);
                    rawCpu.Add(CpuSeconds() - cpu);
                    rawAlloc.Add((GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count);
                }));
                log.Add(await TimeInLogAsync("append-log", 1, async logs =>
                {
                    var (cpu, allocated) = (CpuSeconds(), GC.GetTotalAllocatedBytes(precise: true));
                    for (var i = 0; i < count; i++)
                    {
                        await logs[0].AppendAsync(bytes);
                    }

                    logCpu.Add(CpuSeconds() - cpu);
                    logAlloc.Add((GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count);
                }));
            }

            double rawMBs = MBs((long)count * bytes.Length, Median(raw)), logMBs = MBs((long)count * bytes.Length, Median(log));
            Row(record.ToString(), batch >= BenchData.MiB ? $"{batch / BenchData.MiB} MiB" : $"{batch / BenchData.KiB} KiB",
                $"{rawMBs:F0}", $"{logMBs:F0}", $"{logMBs / rawMBs:F2}", $"{Median(raw.Zip(log, (r, l) => r / l).ToList()):F2}",
                $"{Median(rawCpu) / Median(logCpu):F2}", $"{Median(rawAlloc):F0}", $"{Median(logAlloc):F0}");
        }
    }

    /// <summary>CPU time (user + system, all threads) this process has used so far.</summary>
    private static double CpuSeconds() => Environment.CpuUsage.TotalTime.TotalSeconds;

    private static async Task ReadAsync()
    {
        Console.WriteLine();
        Console.WriteLine($"## Catch-up read ({ReadMiB} MiB log, 1 MiB per read, page cache)");
        Console.WriteLine();
        Console.WriteLine("ReadAsync returns a fresh array per call (what the partition grain uses); ReadIntoAsync fills one reused 1 MiB buffer, as raw does.");
        Console.WriteLine();
        Row("record B", "batch", "raw MB/s", "ReadAsync MB/s", "ReadAsync/raw", "ReadIntoAsync MB/s", "ReadIntoAsync/raw");
        Row("---:", "---:", "---:", "---:", "---:", "---:", "---:");
        foreach (var (record, batch) in Shapes())
        {
            var directory = BenchData.NewTempDirectory("read");
            try
            {
                await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory });
                var log = await manager.GetOrCreateLogAsync("bench", 0, Guid.NewGuid(), BenchData.Config);
                var bytes = BenchData.BuildBatch(record, batch);
                for (long written = 0; written < ReadMiB * (long)BenchData.MiB; written += bytes.Length)
                {
                    await log.AppendAsync(bytes);
                }

                await log.FlushAsync();
                var files = BenchData.SegmentFiles(log.Directory);
                var buffer = new byte[BenchData.MiB];
                var into = new byte[BenchData.MiB];
                var raw = new List<double>();
                var read = new List<double>();
                var readInto = new List<double>();
                long size = 0, sizeInto = 0;
                for (var r = 0; r < Repeats; r++)
                {
                    raw.Add(await TimeAsync(async () =>
                    {
                        foreach (var file in files)
                        {
                            await BenchData.RawReadAsync(file, buffer);
                        }
                    }));
                    read.Add(await TimeAsync(async () => size = await BenchData.ReadLogAsync(log, BenchData.MiB)));
                    readInto.Add(await TimeAsync(async () => sizeInto = await BenchData.ReadLogIntoAsync(log, into)));
                }

                if (size != sizeInto)
                {
                    throw new InvalidOperationException($"ReadAsync read {size} bytes but ReadIntoAsync {sizeInto}.");
                }

                double rawMBs = MBs(size, Median(raw)), readMBs = MBs(size, Median(read)), intoMBs = MBs(size, Median(readInto));
                Row(record.ToString(), batch >= BenchData.MiB ? $"{batch / BenchData.MiB} MiB" : $"{batch / BenchData.KiB} KiB",
                    $"{rawMBs:F0}", $"{readMBs:F0}", $"{readMBs / rawMBs:F2}", $"{intoMBs:F0}", $"{intoMBs / rawMBs:F2}");
            }
            finally
            {
                BenchData.DeleteDirectory(directory);
            }
        }
    }

    private static async Task DurableAppendAsync()
    {
        Console.WriteLine();
        Console.WriteLine($"## Durable append: AppendAsync + FlushAsync per 16 KiB batch, {CommitBatches} batches per run split over the writers");
        Console.WriteLine();
        Console.WriteLine("Raw: each writer its own file, write + fsync per batch. Shared: all writers on one partition (group commit). Per-writer: one partition each.");
        Console.WriteLine();
        Row("writers", "raw MB/s", "shared MB/s", "shared/raw", "per-writer MB/s", "per-writer/raw");
        Row("---:", "---:", "---:", "---:", "---:", "---:");
        var commitBatch = BenchData.BuildBatch(100, 16 * BenchData.KiB);
        foreach (var writers in new[] { 1, 2, 4, 8 })
        {
            var perWriter = CommitBatches / writers;
            var raw = new List<double>();
            var shared = new List<double>();
            var separate = new List<double>();
            for (var r = 0; r < Repeats; r++)
            {
                raw.Add(await TimeInDirectoryAsync("commit-raw", dir => Task.WhenAll(Enumerable.Range(0, writers).Select(w =>
                    Task.Run(() => BenchData.RawWriteAsync(Path.Combine(dir, $"raw-{w}.log"), commitBatch, perWriter, fsyncEach: true))))));
                shared.Add(await TimeInLogAsync("commit-shared", 1, logs => DurableWritersAsync(writers, perWriter, _ => logs[0], commitBatch)));
                separate.Add(await TimeInLogAsync("commit-each", writers, logs => DurableWritersAsync(writers, perWriter, w => logs[w], commitBatch)));
            }

            var bytes = (long)perWriter * writers * commitBatch.Length;
            double rawMBs = MBs(bytes, Median(raw)), sharedMBs = MBs(bytes, Median(shared)), eachMBs = MBs(bytes, Median(separate));
            Row(writers.ToString(), $"{rawMBs:F1}", $"{sharedMBs:F1}", $"{sharedMBs / rawMBs:F2}", $"{eachMBs:F1}", $"{eachMBs / rawMBs:F2}");
        }
    }

    private static async Task RecoveryAsync()
    {
        var directory = BenchData.NewTempDirectory("recovery");
        try
        {
            var topicId = Guid.NewGuid();
            string partitionDirectory;
            var batch = BenchData.BuildBatch(1024, BenchData.MiB);
            await using (var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory }))
            {
                var log = await manager.GetOrCreateLogAsync("bench", 0, topicId, BenchData.Config);
                for (long written = 0; written + batch.Length <= RecoveryMiB * (long)BenchData.MiB; written += batch.Length)
                {
                    await log.AppendAsync(batch);
                }

                partitionDirectory = log.Directory;
            }

            var files = BenchData.SegmentFiles(partitionDirectory);
            var size = files.Sum(f => new FileInfo(f).Length);
            var buffer = new byte[BenchData.MiB];
            var raw = new List<double>();
            var recover = new List<double>();
            LogRecoveryReport? report = null;
            for (var r = 0; r < Repeats; r++)
            {
                raw.Add(await TimeAsync(async () =>
                {
                    foreach (var file in files)
                    {
                        await BenchData.RawReadAsync(file, buffer);
                    }
                }));

                // An unclean shutdown as the next open sees it: no marker, so the last segment is validated in full.
                File.Delete(Path.Combine(directory, ".clean-shutdown"));
                recover.Add(await TimeAsync(async () =>
                {
                    await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory });
                    if (manager.WasCleanShutdown)
                    {
                        throw new InvalidOperationException("The log was expected to need recovery.");
                    }

                    var log = await manager.GetOrCreateLogAsync("bench", 0, topicId, BenchData.Config);
                    report = log.LastRecovery;
                }));
            }

            Console.WriteLine($"Recovery report: {report}");
            Console.WriteLine();
            Row("segment MiB", "raw read s", "raw MB/s", "recovery s", "recovery MB/s", "recovery/raw");
            Row("---:", "---:", "---:", "---:", "---:", "---:");
            double rawS = Median(raw), recS = Median(recover);
            Row($"{size / (double)BenchData.MiB:F0}", $"{rawS:F2}", $"{MBs(size, rawS):F0}", $"{recS:F2}", $"{MBs(size, recS):F0}", $"{rawS / recS:F2}");
            Console.WriteLine();
            Console.WriteLine("(recovery s includes opening the manager, validating the segment, rebuilding its indexes and the clean close)");
        }
        finally
        {
            BenchData.DeleteDirectory(directory);
        }
    }

    private static Task DurableWritersAsync(int writers, int perWriter, Func<int, PartitionLog> logOf, byte[] batch)
        => Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var log = logOf(w);
            for (var i = 0; i < perWriter; i++)
            {
                await log.AppendAsync(batch);
                await log.FlushAsync();
            }
        })));

    private static IEnumerable<(int Record, int Batch)> Shapes()
        => [(100, 16 * BenchData.KiB), (100, BenchData.MiB), (1024, 16 * BenchData.KiB), (1024, BenchData.MiB)];

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Times <paramref name="action"/> in a fresh directory; creating and deleting it is not timed.</summary>
    private static async Task<double> TimeInDirectoryAsync(string name, Func<string, Task> action)
    {
        var directory = BenchData.NewTempDirectory(name);
        try
        {
            return await TimeAsync(() => action(directory));
        }
        finally
        {
            BenchData.DeleteDirectory(directory);
        }
    }

    /// <summary>Times <paramref name="action"/> over <paramref name="count"/> fresh partitions; opening and the closing flush are not timed.</summary>
    private static async Task<double> TimeInLogAsync(string name, int count, Func<PartitionLog[], Task> action)
    {
        var directory = BenchData.NewTempDirectory(name);
        try
        {
            await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory });
            var logs = new PartitionLog[count];
            for (var i = 0; i < count; i++)
            {
                logs[i] = await manager.GetOrCreateLogAsync("bench", i, Guid.NewGuid(), BenchData.Config);
            }

            return await TimeAsync(() => action(logs));
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
}
