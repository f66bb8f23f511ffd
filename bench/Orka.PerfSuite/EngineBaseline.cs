using System.Diagnostics;
using Orka.Records;
using Orka.Storage;

namespace Orka.PerfSuite;

/// <summary>
/// The storage engine's own append throughput for the records Orka's produce rows send: in this
/// process, records encoded with <see cref="RecordBatchBuilder"/> into 1 MiB batches (the native
/// producer's default batch size, CRC-32C included, finished in place as the producer does) and appended with
/// <see cref="PartitionLog.AppendAsync"/> to 3 partitions in turn, as the producer's sticky
/// partitioning fills them; acks=all also calls <see cref="PartitionLog.FlushAsync"/> after each batch.
/// What it leaves out is exactly what Orka adds: the client's buffering, the network, the grain calls.
/// Each case runs three times (its files deleted after each, as the Orka cases' topics are); the
/// median counts.
/// </summary>
internal static class EngineBaseline
{
    private const int Partitions = 3;
    private const int BatchBytes = 1 << 20;
    private const int Runs = 3;

    public static async Task<List<LoadResult>> MeasureAsync(string work, IEnumerable<(long Records, int Size)> cases)
    {
        var results = new List<LoadResult>();
        foreach (var (records, size) in cases)
        {
            foreach (var acks in new[] { "1", "all" })
            {
                // The median of three: a case takes well under a second here, and single runs of it
                // moved by up to 2x (3.3M-6.7M records/s at 100 B) with the machine otherwise idle.
                var seconds = new List<double>();
                for (var run = 0; run < Runs; run++)
                {
                    await Disk.SettleAsync();
                    seconds.Add(await AppendAsync(Path.Combine(work, $"engine-{size}-{acks}-{run}"), records, size, acks == "all"));
                }

                results.Add(new LoadResult("Storage engine, in-process", $"produce {size} B, acks={acks}", records, size, records / seconds.Order().ElementAt(Runs / 2)));
            }
        }

        return results;
    }

    private static async Task<double> AppendAsync(string directory, long records, int size, bool flush)
    {
        try
        {
            await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory });
            var logs = new PartitionLog[Partitions];
            for (var p = 0; p < Partitions; p++)
            {
                logs[p] = await manager.GetOrCreateLogAsync("engine", p, Guid.NewGuid(), new LogConfig());
            }

            var value = new byte[size];
            Random.Shared.NextBytes(value);
            var builder = new RecordBatchBuilder();
            var watch = Stopwatch.StartNew();
            var partition = 0;
            for (long i = 0; i < records; i++)
            {
                builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), default, value, keyIsNull: true);
                if (builder.SizeInBytes + size + 40 > BatchBytes || i == records - 1)
                {
                    var log = logs[partition++ % Partitions];
                    await log.AppendAsync(builder.BuildInPlace());
                    if (flush)
                    {
                        await log.FlushAsync();
                    }

                    builder.Reset();
                }
            }

            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
