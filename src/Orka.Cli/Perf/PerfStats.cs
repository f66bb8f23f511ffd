using System.Diagnostics;
using System.Globalization;

namespace Orka.Cli.Perf;

/// <summary>
/// What a perf run has measured: every acknowledged record's latency (for the final percentiles)
/// and a window since the last progress line. Thread-safe; recording allocates nothing.
/// </summary>
internal sealed class PerfStats(int recordSize)
{
    private long _start = Stopwatch.GetTimestamp();
    private readonly LatencyHistogram _all = new();
    private long _windowStart = Stopwatch.GetTimestamp();
    private long _windowCount;
    private long _windowSum;
    private long _windowMax;
    private long _errors;

    public LatencyHistogram Latencies => _all;

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>The first failure seen, to tell the user why records were lost.</summary>
    public Exception? FirstError { get; private set; }

    /// <summary>Starts the clock of the rates again (records/s) now, as when the measured part of a run begins after a warm-up.</summary>
    public void RestartClock()
    {
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _start, now);
        Volatile.Write(ref _windowStart, now);
    }

    public void Record(long latencyMicros)
    {
        _all.Record(latencyMicros);
        Interlocked.Increment(ref _windowCount);
        Interlocked.Add(ref _windowSum, latencyMicros);
        var max = Volatile.Read(ref _windowMax);
        while (latencyMicros > max && Interlocked.CompareExchange(ref _windowMax, latencyMicros, max) is var seen && seen != max)
        {
            max = seen;
        }
    }

    public void RecordError(Exception? error)
    {
        if (Interlocked.Increment(ref _errors) == 1)
        {
            FirstError = error;
        }
    }

    /// <summary>Kafka's progress line for the window since the last call, then starts a new window.</summary>
    public string TakeWindowLine()
    {
        var now = Stopwatch.GetTimestamp();
        var seconds = Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _windowStart, now), now).TotalSeconds;
        var count = Interlocked.Exchange(ref _windowCount, 0);
        var sum = Interlocked.Exchange(ref _windowSum, 0);
        var max = Interlocked.Exchange(ref _windowMax, 0);
        var rate = count / Math.Max(seconds, 1e-9);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{count} records sent, {rate:F1} records/sec ({rate * recordSize / (1024.0 * 1024.0):F2} MB/sec), {(count == 0 ? 0 : sum / 1000.0 / count):F2} ms avg latency, {max / 1000.0:F2} ms max latency.");
    }

    /// <summary>
    /// The final line in the format of Kafka's <c>kafka-producer-perf-test</c>; percentiles come from
    /// the histogram (in ms with two decimals, where Kafka rounds to whole ms: ours are often below one).
    /// </summary>
    public string SummaryLine()
    {
        var seconds = Stopwatch.GetElapsedTime(Volatile.Read(ref _start)).TotalSeconds;
        var count = _all.Count;
        var rate = count / Math.Max(seconds, 1e-9);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{count} records sent, {rate:F1} records/sec ({rate * recordSize / (1024.0 * 1024.0):F2} MB/sec), {_all.MeanMicros / 1000:F2} ms avg latency, {_all.MaxMicros / 1000.0:F2} ms max latency, {Ms(50)} ms 50th, {Ms(95)} ms 95th, {Ms(99)} ms 99th, {Ms(99.9)} ms 99.9th.");
    }

    private string Ms(double percentile) =>
        (_all.PercentileMicros(percentile) / 1000).ToString("F2", CultureInfo.InvariantCulture);
}
