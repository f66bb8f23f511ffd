using BenchmarkDotNet.Running;
using Orka.Benchmarks;

// `throughput` runs the plain Stopwatch runner (a few minutes, MB/s and ratios to raw);
// anything else goes to BenchmarkDotNet (`--filter '*'`, `--list flat`, ...).
if (args.Length > 0 && args[0] is "throughput" or "--quick")
{
    return await ThroughputRunner.RunAsync(args[1..]);
}

// `client [silos]`: the native client's produce throughput and latency against an in-process cluster.
if (args.Length > 0 && args[0] == "client")
{
    return await ClientThroughputRunner.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(ShortConfig).Assembly).Run(args, new ShortConfig());
return 0;
