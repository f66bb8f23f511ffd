namespace Orka.PerfSuite;

/// <summary>One measured load: how many records of what size in how long, and latency where known.</summary>
internal sealed record LoadResult(string System, string Case, long Records, int RecordSize, double RecordsPerSecond, double? P50Ms = null, double? P99Ms = null)
{
    public double MBps => RecordsPerSecond * RecordSize / (1024.0 * 1024.0);
}
