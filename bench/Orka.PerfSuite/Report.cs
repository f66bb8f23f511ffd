using System.Globalization;
using System.Text;

namespace Orka.PerfSuite;

/// <summary>The Markdown the suite prints: what docs/performance.md's tables are copied from.</summary>
internal sealed class Report
{
    private readonly StringBuilder _text = new();

    public Report()
    {
        _text.AppendLine(CultureInfo.InvariantCulture, $"Run of {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({Environment.OSVersion}); MB = MiB.");
        _text.AppendLine();
    }

    public void Baselines(BaselineResults b, long bytes)
    {
        _text.AppendLine(CultureInfo.InvariantCulture, $"### Hardware baselines ({bytes >> 20} MiB, 1 MiB blocks)");
        _text.AppendLine();
        _text.AppendLine("| baseline | figure |");
        _text.AppendLine("|---|---|");
        _text.AppendLine(CultureInfo.InvariantCulture, $"| sequential write, page cache | {b.WriteMBps:F0} MB/s |");
        _text.AppendLine(CultureInfo.InvariantCulture, $"| sequential write + fdatasync per MiB | {b.DurableWriteMBps:F0} MB/s |");
        _text.AppendLine(CultureInfo.InvariantCulture, $"| sequential read, page cache | {b.ReadMBps:F0} MB/s |");
        _text.AppendLine(CultureInfo.InvariantCulture, $"| 4 KiB write + fdatasync | {b.SmallFsyncsPerSecond:F0}/s, p50 {b.SmallFsyncP50Ms:F2} ms |");
        _text.AppendLine(CultureInfo.InvariantCulture, $"| loopback TCP, one stream | {b.LoopbackTcpMBps:F0} MB/s |");
        _text.AppendLine();
    }

    public void Loads(IReadOnlyList<LoadResult> orka, IReadOnlyList<LoadResult> engine, IReadOnlyList<LoadResult> redis, IReadOnlyList<LoadResult> nats, BaselineResults b)
    {
        _text.AppendLine("### Storage engine alone (same run): encode 1 MiB batches + PartitionLog.AppendAsync, 3 partitions, in-process, median of 3 runs");
        _text.AppendLine();
        _text.AppendLine("| case | records | records/s | MB/s |");
        _text.AppendLine("|---|---:|---:|---:|");
        foreach (var r in engine)
        {
            _text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Case} | {r.Records} | {r.RecordsPerSecond:F0} | {r.MBps:F1} |");
        }

        _text.AppendLine();
        _text.AppendLine("### Peers (same machine, same run)");
        _text.AppendLine();
        _text.AppendLine("| system | case | records | records/s | MB/s |");
        _text.AppendLine("|---|---|---:|---:|---:|");
        foreach (var r in redis.Concat(nats))
        {
            _text.AppendLine(CultureInfo.InvariantCulture, $"| {r.System} | {r.Case} | {r.Records} | {r.RecordsPerSecond:F0} | {r.MBps:F1} |");
        }

        _text.AppendLine();
        _text.AppendLine("### Orka");
        _text.AppendLine();
        _text.AppendLine("| system | case | records | records/s | MB/s | p50 ms | p99 ms | vs baseline | vs engine | vs Redis | vs NATS |");
        _text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in orka)
        {
            var (baselineName, baselineMBps) = r.Case switch
            {
                var c when c.StartsWith("catch-up", StringComparison.Ordinal) => ("read", b.ReadMBps),
                var c when c.Contains("acks=all", StringComparison.Ordinal) => ("durable write", b.DurableWriteMBps),
                _ => ("write", b.WriteMBps),
            };
            var peerCase = r.Case.StartsWith("produce", StringComparison.Ordinal);
            _text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.System} | {r.Case} | {r.Records} | {r.RecordsPerSecond:F0} | {r.MBps:F1} | {Ms(r.P50Ms)} | {Ms(r.P99Ms)} | {r.MBps / baselineMBps:F2} of {baselineName} | {EngineRatio(r, engine)} | {(peerCase ? Ratio(r, redis) : "")} | {(peerCase ? Ratio(r, nats) : "")} |");
        }

        _text.AppendLine();
    }

    public override string ToString() => _text.ToString();

    private static string Ms(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "";

    private static string EngineRatio(LoadResult orka, IReadOnlyList<LoadResult> engine) =>
        engine.FirstOrDefault(e => e.Case == orka.Case) is { } own
            ? (orka.RecordsPerSecond / own.RecordsPerSecond).ToString("F2", CultureInfo.InvariantCulture)
            : "";

    private static string Ratio(LoadResult orka, IReadOnlyList<LoadResult> peers) =>
        peers.FirstOrDefault(p => p.RecordSize == orka.RecordSize) is { } peer
            ? (orka.RecordsPerSecond / peer.RecordsPerSecond).ToString("F2", CultureInfo.InvariantCulture)
            : "";
}
