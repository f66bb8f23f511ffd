using System.Numerics;

namespace Orka.Cli.Perf;

/// <summary>
/// A log-linear histogram of latencies in microseconds, safe to record into from many threads.
/// </summary>
/// <remarks>
/// Values below 128 µs get a bucket each; above, every power of two is split into 64 buckets, so a
/// reported percentile is within 1/64 (1.6%) of the true value, up to about 2^40 µs (12 days).
/// Memory is fixed (about 18 KiB) whatever the number of samples, which is what a perf tool sending
/// millions of records needs; recording is one <see cref="Interlocked"/> add per field.
/// </remarks>
internal sealed class LatencyHistogram
{
    private const int LinearBuckets = 128;
    private const int SubBuckets = 64;
    private const int MaxShift = 34;

    private readonly long[] _counts = new long[LinearBuckets + (MaxShift * SubBuckets)];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    public double MeanMicros => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    public long MaxMicros => Volatile.Read(ref _max);

    public void Record(long micros)
    {
        micros = Math.Max(0, micros);
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        var max = Volatile.Read(ref _max);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, micros, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> % of the samples lie (the middle of
    /// the bucket holding that sample, never above the largest sample); 0 when empty.
    /// </summary>
    public double PercentileMicros(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                if (i == _counts.Length - 1)
                {
                    return MaxMicros; // the overflow bucket has no upper bound
                }

                var (low, width) = BucketOf(i);
                return Math.Min(low + ((width - 1) / 2.0), MaxMicros);
            }
        }

        return MaxMicros;
    }

    private static int IndexOf(long micros)
    {
        if (micros < LinearBuckets)
        {
            return (int)micros;
        }

        var shift = Math.Min(BitOperations.Log2((ulong)micros) - 6, MaxShift);
        var sub = Math.Min(micros >> shift, (2 * SubBuckets) - 1) - SubBuckets;
        return LinearBuckets + ((shift - 1) * SubBuckets) + (int)sub;
    }

    private static (long Low, long Width) BucketOf(int index)
    {
        if (index < LinearBuckets)
        {
            return (index, 1);
        }

        var shift = ((index - LinearBuckets) / SubBuckets) + 1;
        var sub = ((index - LinearBuckets) % SubBuckets) + SubBuckets;
        return ((long)sub << shift, 1L << shift);
    }
}
