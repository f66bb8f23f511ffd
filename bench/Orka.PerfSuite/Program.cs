using System.Globalization;
using Orka.PerfSuite;

// The report of docs/performance.md in one run: baselines, peers and Orka on the same machine,
// one after the other (never concurrently), each Orka figure also as a ratio to the baseline and
// to the peers. `--quick` divides every record count by 10 (a smoke run of the suite itself).
// Usage: dotnet run -c Release --project bench/Orka.PerfSuite -- [--quick] [--out FILE]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
var outFile = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
var scale = quick ? 10 : 1;
// Long enough (about 1 GiB per 1 KiB case) that a case is not mostly the client's start-up.
long small = 2_000_000 / scale, large = 1_000_000 / scale;

var work = Directory.CreateTempSubdirectory("orka-perfsuite-").FullName;
var report = new Report();
try
{
    var binaries = Binaries.Locate("Release");
    Console.Error.WriteLine($"perf suite: work folder {work}; {Environment.ProcessorCount} cores");

    Console.Error.WriteLine("baselines…");
    var baseline = await Baselines.MeasureAsync(work, large * 1024);
    report.Baselines(baseline, large * 1024);

    (long, int)[] peerCases = [(small, 100), (large, 1024)];
    Console.Error.WriteLine("Redis Streams…");
    var redis = await RedisPeer.RunAsync(work, peerCases);
    Console.Error.WriteLine("NATS JetStream…");
    var nats = await NatsPeer.RunAsync(work, peerCases);

    Console.Error.WriteLine("storage engine, in-process…");
    var engine = await EngineBaseline.MeasureAsync(work, peerCases);

    var orka = new List<LoadResult>();
    foreach (var nodes in new[] { 1, 3 })
    {
        Console.Error.WriteLine($"Orka, {nodes} node(s)…");
        await using var cluster = await OrkaCluster.StartAsync(binaries, work, nodes);
        var system = $"Orka native, {nodes} node{(nodes > 1 ? "s" : "")}";
        var partitions = 3 * nodes;

        // A broker runs for days; its first seconds are spent compiling (tiered JIT). Warm every
        // path measured below (native and Kafka produce at both acks, catch-up) on a throw-away
        // topic first, so the figures are the steady state rather than the JIT's.
        Console.Error.WriteLine("  warm-up…");
        await OrkaPerf.CreateTopicAsync(binaries, cluster, "warmup", partitions);
        var warmup = (large / 3).ToString(CultureInfo.InvariantCulture);
        foreach (var acks in new[] { "1", "all" })
        {
            await OrkaPerf.RunAsync(binaries, cluster, system, "warm-up", "produce", 1024, "--topic", "warmup", "--num-records", warmup, "--acks", acks);
            await OrkaPerf.RunAsync(binaries, cluster, system, "warm-up", "produce", 1024, "--topic", "warmup", "--num-records", warmup, "--acks", acks,
                "--protocol", "kafka", "--bootstrap-servers", cluster.Bootstrap);
        }

        await OrkaPerf.ConsumeAsync(binaries, cluster, "warm-up", "warmup", large / 3, 1024);
        await OrkaPerf.ConsumeAsync(binaries, cluster, "warm-up", "warmup", large / 3, 1024, kafka: true);
        await OrkaPerf.DeleteTopicAsync(binaries, cluster, "warmup");

        string[] cases = ["100:1", "1024:1", "100:all", "1024:all"];
        foreach (var c in cases)
        {
            var size = int.Parse(c.Split(':')[0], CultureInfo.InvariantCulture);
            var acks = c.Split(':')[1];
            var topic = $"p{size}a{acks}";
            var count = size == 100 ? small : large;
            // Half as many records again first, left out of the figures (Kafka's --warmup-records):
            // the load generator is a fresh process per case, and its first second was spent in
            // the JIT (20-35 % below its steady rate at 100 B).
            var warmupRecords = (count / 2).ToString(CultureInfo.InvariantCulture);
            await OrkaPerf.CreateTopicAsync(binaries, cluster, topic, partitions);
            orka.Add(await OrkaPerf.RunAsync(binaries, cluster, system, $"produce {size} B, acks={acks}", "produce", size,
                "--topic", topic, "--num-records", count.ToString(CultureInfo.InvariantCulture), "--acks", acks, "--warmup-records", warmupRecords));
            if (nodes == 1 && acks == "1")
            {
                orka.Add(await OrkaPerf.ConsumeAsync(binaries, cluster, $"catch-up read {size} B", topic, count, size));
            }

            await OrkaPerf.DeleteTopicAsync(binaries, cluster, topic);

            {
                // The same case through the Kafka listeners with librdkafka (Confluent.Kafka).
                var kafkaTopic = $"k{topic}";
                await OrkaPerf.CreateTopicAsync(binaries, cluster, kafkaTopic, partitions);
                orka.Add(await OrkaPerf.RunAsync(binaries, cluster, $"Orka Kafka protocol, {nodes} node{(nodes > 1 ? "s" : "")}", $"produce {size} B, acks={acks}", "produce", size,
                    "--topic", kafkaTopic, "--num-records", count.ToString(CultureInfo.InvariantCulture), "--acks", acks, "--warmup-records", warmupRecords,
                    "--protocol", "kafka", "--bootstrap-servers", cluster.Bootstrap));
                if (nodes == 1 && acks == "1")
                {
                    // Catch-up through the Kafka listener, next to the native row.
                    orka.Add(await OrkaPerf.ConsumeAsync(binaries, cluster, $"catch-up read {size} B", kafkaTopic, count, size, kafka: true));
                }

                await OrkaPerf.DeleteTopicAsync(binaries, cluster, kafkaTopic);
            }
        }

        if (nodes == 1)
        {
            // End-to-end latency at fractions of the measured maximum rate of 1 KiB, acks=1. Each
            // row first runs one second at its rate as --warmup-records, left out of the figures:
            // the load generator is a fresh process, and its first few hundred milliseconds (JIT)
            // delayed records by up to 200 ms, 3-4 % of a 10 s run, which was most of its p99.
            var max = orka.Single(r => r.Case == "produce 1024 B, acks=1" && r.System == system).RecordsPerSecond;
            // The target's own point: 100 MB/s of 1 KiB records (102,400 records/s).
            await OrkaPerf.CreateTopicAsync(binaries, cluster, "e2e100mb", partitions);
            orka.Add(await OrkaPerf.RunAsync(binaries, cluster, system, "end to end 1024 B at 100 MB/s (102400/s)", "e2e", 1024,
                "--topic", "e2e100mb", "--num-records", Math.Min(1_024_000 / scale, large).ToString(CultureInfo.InvariantCulture), "--throughput", "102400", "--linger-ms", "0",
                "--warmup-records", (102400 / scale).ToString(CultureInfo.InvariantCulture)));
            await OrkaPerf.DeleteTopicAsync(binaries, cluster, "e2e100mb");

            foreach (var fraction in new[] { 0.25, 0.5, 0.9 })
            {
                var rate = Math.Max(100, Math.Round(max * fraction));
                var topic = $"e2e{fraction * 100:0}";
                await OrkaPerf.CreateTopicAsync(binaries, cluster, topic, partitions);
                var records = (long)Math.Min(rate * 10 / scale, large);
                orka.Add(await OrkaPerf.RunAsync(binaries, cluster, system, $"end to end 1024 B at {fraction:P0} of max ({rate:0}/s)", "e2e", 1024,
                    "--topic", topic, "--num-records", records.ToString(CultureInfo.InvariantCulture), "--throughput", rate.ToString(CultureInfo.InvariantCulture), "--linger-ms", "0",
                    "--warmup-records", ((long)rate / scale).ToString(CultureInfo.InvariantCulture)));
                await OrkaPerf.DeleteTopicAsync(binaries, cluster, topic);
            }
        }
    }

    report.Loads(orka, engine, redis, nats, baseline);
    var text = report.ToString();
    Console.WriteLine(text);
    if (outFile is not null)
    {
        await File.WriteAllTextAsync(outFile, text);
    }

    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}
