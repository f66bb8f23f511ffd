using System.Globalization;
using System.Text.RegularExpressions;

namespace Orka.PerfSuite;

/// <summary>Runs <c>orka perf …</c> against a cluster and reads its summary line.</summary>
internal static partial class OrkaPerf
{
    [GeneratedRegex(@"^(\d+) records (?:sent|received end to end), ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, ([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, ([\d.]+) ms 99\.9th\.$", RegexOptions.Multiline)]
    private static partial Regex Summary();

    public static async Task CreateTopicAsync(Binaries binaries, OrkaCluster cluster, string topic, int partitions, params string[] config)
    {
        var args = new List<string> { binaries.Cli, "-g", cluster.Gateways, "topics", "create", topic, "--partitions", partitions.ToString(CultureInfo.InvariantCulture) };
        foreach (var c in config)
        {
            args.AddRange(["--config", c]);
        }

        await RunCheckedAsync(args);
    }

    /// <summary>
    /// Deletes a measured topic (its files are gone when the command returns). Every case writes
    /// about a gigabyte; deleting it once measured keeps each case writing into page-cache memory
    /// the kernel has just freed, as a broker at steady state does (its cache full, old segments
    /// going as new ones come), instead of into memory this VM's guest has not touched for a
    /// while, which costs up to three times the system time here (see docs/performance.md).
    /// </summary>
    public static Task DeleteTopicAsync(Binaries binaries, OrkaCluster cluster, string topic) =>
        RunCheckedAsync([binaries.Cli, "-g", cluster.Gateways, "topics", "delete", topic]);

    /// <summary><c>orka perf produce</c> or <c>orka perf e2e</c>; returns the summary's records/s and p50/p99.</summary>
    public static async Task<LoadResult> RunAsync(Binaries binaries, OrkaCluster cluster, string system, string label, string mode, int recordSize, params string[] args)
    {
        await Disk.SettleAsync();
        var output = await RunCheckedAsync([binaries.Cli, "-g", cluster.Gateways, "perf", mode, "--record-size", recordSize.ToString(CultureInfo.InvariantCulture), .. args]);
        var match = Summary().Match(output);
        if (!match.Success)
        {
            throw new InvalidOperationException($"no summary line in orka perf output:\n{output}");
        }

        double D(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return new LoadResult(system, label, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), recordSize, D(2), D(6), D(8));
    }

    /// <summary>
    /// <c>orka perf consume</c>: catch-up read of a topic, natively or (<paramref name="kafka"/>) with
    /// librdkafka through the Kafka listener; returns records/s and MB/s.
    /// </summary>
    public static async Task<LoadResult> ConsumeAsync(Binaries binaries, OrkaCluster cluster, string label, string topic, long records, int recordSize, bool kafka = false)
    {
        await Disk.SettleAsync();
        string[] protocol = kafka ? ["--protocol", "kafka", "--bootstrap-servers", cluster.Bootstrap] : [];
        var output = await RunCheckedAsync([binaries.Cli, "-g", cluster.Gateways, "perf", "consume", "--topic", topic, "--messages", records.ToString(CultureInfo.InvariantCulture), .. protocol]);
        var columns = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(", ");
        return new LoadResult(kafka ? "Orka Kafka protocol, 1 node" : "Orka native, 1 node", label, records, recordSize, double.Parse(columns[5], CultureInfo.InvariantCulture));
    }

    private static async Task<string> RunCheckedAsync(IReadOnlyList<string> args)
    {
        var (code, output) = await ChildProcess.RunAsync("dotnet", args, TimeSpan.FromMinutes(5));
        if (code != 0)
        {
            throw new InvalidOperationException($"orka {string.Join(' ', args.Skip(1))} exited {code}:\n{output}");
        }

        return output;
    }
}
