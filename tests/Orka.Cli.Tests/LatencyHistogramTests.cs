using Orka.Cli.Perf;

namespace Orka.Cli.Tests;

public sealed class LatencyHistogramTests
{
    // Intent: percentiles of a known distribution come back within the histogram's 1/64 precision.
    [Theory]
    [InlineData(50)]
    [InlineData(95)]
    [InlineData(99)]
    [InlineData(99.9)]
    public void Percentile_UniformOneToOneMillion_WithinPrecision(double percentile)
    {
        var histogram = new LatencyHistogram();
        for (long v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v);
        }

        var expected = percentile / 100 * 1_000_000;
        Assert.InRange(histogram.PercentileMicros(percentile), expected * (1 - (1.0 / 64)), expected * (1 + (1.0 / 64)));
    }

    // Intent: count, mean and max are exact, whatever the bucketing.
    [Fact]
    public void Record_SmallAndHugeValues_CountMeanMaxExact()
    {
        var histogram = new LatencyHistogram();
        long[] values = [0, 3, 127, 128, 5_000, 1L << 45];
        foreach (var v in values)
        {
            histogram.Record(v);
        }

        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Average(v => (double)v), histogram.MeanMicros, 3);
        Assert.Equal(1L << 45, histogram.MaxMicros);
        Assert.Equal(3, histogram.PercentileMicros(20));
        Assert.Equal(1L << 45, histogram.PercentileMicros(100));
    }

    // Intent: below 128 µs every value has its own bucket, so small latencies are exact.
    [Fact]
    public void Percentile_SmallValues_Exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 0; v < 100; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(49, histogram.PercentileMicros(50));
        Assert.Equal(98, histogram.PercentileMicros(99));
    }

    // Intent: many threads recording at once lose no sample.
    [Fact]
    public async Task Record_Concurrently_NoSampleLost()
    {
        var histogram = new LatencyHistogram();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                histogram.Record(i % 1000);
            }
        })));

        Assert.Equal(400_000, histogram.Count);
        Assert.Equal(999, histogram.MaxMicros);
    }

    [Fact]
    public void Percentile_Empty_Zero() => Assert.Equal(0, new LatencyHistogram().PercentileMicros(99));
}
