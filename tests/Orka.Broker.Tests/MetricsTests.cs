using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Orka.Broker.Telemetry;
using Orleans.TestingHost;

namespace Orka.Broker.Tests;

/// <summary>The <c>Orka</c> meter, read with a listener as an exporter would, in the two-silo cluster.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class MetricsTests(ClusterFixture fixture)
{
    // Intent: records/bytes in count exactly what was appended to the topic, one latency sample per produce call.
    [Fact]
    public async Task Produce_ThreeBatches_RecordsAndBytesInCountedPerTopic()
    {
        using var recordsIn = Collector<long>("orka.records.in");
        using var bytesIn = Collector<long>("orka.bytes.in");
        using var duration = Collector<double>("orka.produce.duration");
        await fixture.Grains.GetGrain<ITopicGrain>("metrics-in").CreateAsync(new TopicSpec("metrics-in", 2));

        var batches = new[] { Batches.Of("a", "b", "c", "d"), Batches.Of("e", "f", "g", "h", "i"), Batches.Of("j", "k", "l", "m", "n", "o") };
        await Partition("metrics-in", 0).ProduceAsync(batches[0], Acks.All);
        await Partition("metrics-in", 1).ProduceAsync(batches[1], Acks.Leader);
        await Partition("metrics-in", 1).ProduceAsync(batches[2], Acks.All);

        Assert.Equal(15, Sum(recordsIn, "metrics-in"));
        Assert.Equal(batches.Sum(b => (long)b.Length), Sum(bytesIn, "metrics-in"));
        var samples = duration.GetMeasurementSnapshot().Where(m => Tag(m.Tags, "topic") == "metrics-in").ToList();
        Assert.Equal(3, samples.Count);
        Assert.Equal(["1", "all", "all"], samples.Select(m => Tag(m.Tags, "acks")).Order());
        Assert.All(samples, m => Assert.True(m.Value >= 0));
    }

    // Intent: records/bytes out count what a fetch returned, and the fetch is timed.
    [Fact]
    public async Task Fetch_TwoBatches_RecordsAndBytesOutCounted()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("metrics-out").CreateAsync(new TopicSpec("metrics-out", 1));
        await Partition("metrics-out", 0).ProduceAsync(Batches.Of("a", "b"), Acks.All);
        await Partition("metrics-out", 0).ProduceAsync(Batches.Of("c", "d", "e"), Acks.All);
        using var recordsOut = Collector<long>("orka.records.out");
        using var bytesOut = Collector<long>("orka.bytes.out");
        using var duration = Collector<double>("orka.fetch.duration");

        var fetched = await Partition("metrics-out", 0).FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));

        Assert.Equal(5, Sum(recordsOut, "metrics-out"));
        Assert.Equal(fetched.Batches.Length, Sum(bytesOut, "metrics-out"));
        Assert.Single(duration.GetMeasurementSnapshot(), m => Tag(m.Tags, "topic") == "metrics-out");
    }

    // Intent: each silo's orka.partitions gauge, tagged with its node, grows by the partitions placed on that node.
    [Fact]
    public async Task PartitionsGauge_NewTopicOnBothNodes_EachNodeCountsItsPartition()
    {
        var silos = Silos();
        var before = silos.Select(PartitionsGauge).ToArray();

        var metadata = await fixture.Grains.GetGrain<ITopicGrain>("metrics-gauge").CreateAsync(new TopicSpec("metrics-gauge", 2));
        for (var p = 0; p < 2; p++)
        {
            await Partition("metrics-gauge", p).ProduceAsync(Batches.Of("x"), Acks.All);
        }

        var after = silos.Select(PartitionsGauge).ToArray();
        for (var node = 0; node < silos.Length; node++)
        {
            Assert.Equal(node, after[node].Node);
            Assert.Equal(before[node].Count + metadata.Leaders().Count(n => n == node), after[node].Count);
        }
    }

    /// <summary>One instrument of every silo's <c>Orka</c> meter (each silo has its own meter factory); tests tell topics apart by tag.</summary>
    private AllSilos<T> Collector<T>(string instrument) where T : struct =>
        new([.. Silos().Select(s => new MetricCollector<T>(Meters(s), OrkaMetrics.MeterName, instrument))]);

    private static long Sum(AllSilos<long> collector, string topic) =>
        collector.GetMeasurementSnapshot().Where(m => Tag(m.Tags, "topic") == topic).Sum(m => m.Value);

    private SiloHandle[] Silos() => [fixture.Cluster.Primary!, .. fixture.Cluster.SecondarySilos];

    private static IMeterFactory Meters(SiloHandle silo) =>
        ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<IMeterFactory>();

    private static string? Tag(IReadOnlyDictionary<string, object?> tags, string name) =>
        tags.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Observes one silo's gauge through that silo's own meter factory.</summary>
    private static (int Node, int Count) PartitionsGauge(SiloHandle silo)
    {
        using var gauge = new MetricCollector<int>(Meters(silo), OrkaMetrics.MeterName, "orka.partitions");
        gauge.RecordObservableInstruments();
        var measurement = Assert.Single(gauge.GetMeasurementSnapshot());
        return ((int)measurement.Tags["node"]!, measurement.Value);
    }

    private IPartitionGrain Partition(string topic, int p) =>
        fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());

    /// <summary>The same instrument collected from every silo.</summary>
    private sealed class AllSilos<T>(MetricCollector<T>[] collectors) : IDisposable where T : struct
    {
        public IEnumerable<CollectedMeasurement<T>> GetMeasurementSnapshot() => collectors.SelectMany(c => c.GetMeasurementSnapshot());

        public void Dispose()
        {
            foreach (var c in collectors)
            {
                c.Dispose();
            }
        }
    }
}
