using System.Diagnostics;
using System.Globalization;

namespace Orka.Cli.Perf;

/// <summary>
/// The load generator's own garbage collection during a run, printed before the summary: its pauses
/// land in the measured latencies (a record sent or received during a pause waits it out), so a
/// latency tail can be told apart from the broker's.
/// </summary>
internal static class ProcessGcLine
{
    public static string Format(Stopwatch run) => string.Create(CultureInfo.InvariantCulture,
        $"load generator GC: {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2 collections; " +
        $"paused {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms in {run.Elapsed.TotalSeconds:F1} s; " +
        $"{GC.GetTotalAllocatedBytes() / (1024.0 * 1024.0):F0} MiB allocated.");
}
