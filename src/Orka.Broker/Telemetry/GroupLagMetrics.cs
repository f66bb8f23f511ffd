using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;

namespace Orka.Broker.Telemetry;

/// <summary>
/// The <c>orka.consumer.lag</c> gauge (records; tags <c>group</c>, <c>topic</c>, <c>partition</c>) on
/// the <c>Orka</c> meter. Each silo reports the groups whose grains are active on it: a group grain
/// computes its lag every <c>Orka:Groups:LagMetricsInterval</c> and hands it here; observing the
/// gauge only reads the latest figures (no grain calls on the metrics thread).
/// </summary>
/// <remarks>
/// The meter comes from <see cref="IMeterFactory"/>, which hands every caller asking for "Orka" the
/// same instance, so the other Orka instruments can live on it without a shared static class.
/// Partitions whose log end is unknown (node down, topic gone) are not reported.
/// </remarks>
public sealed class GroupLagMetrics
{
    /// <summary>The meter name every Orka instrument uses.</summary>
    public const string MeterName = "Orka";

    /// <summary>The gauge's name.</summary>
    public const string LagInstrument = "orka.consumer.lag";

    private readonly ConcurrentDictionary<string, ImmutableArray<PartitionLag>> _lags = new(StringComparer.Ordinal);

    public GroupLagMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(LagInstrument, Observe, unit: "{record}",
            description: "Records a consumer group has yet to commit per partition: log end offset minus committed offset.");
    }

    /// <summary>The group's latest lag figures replace its earlier ones.</summary>
    public void Update(string groupId, ImmutableArray<PartitionLag> lags) => _lags[groupId] = lags;

    /// <summary>The group is gone from this silo (deactivated, deleted, expired).</summary>
    public void Remove(string groupId) => _lags.TryRemove(groupId, out _);

    private IEnumerable<Measurement<long>> Observe()
    {
        foreach (var (groupId, lags) in _lags)
        {
            foreach (var lag in lags)
            {
                if (lag.Lag >= 0)
                {
                    yield return new Measurement<long>(lag.Lag,
                        new KeyValuePair<string, object?>("group", groupId),
                        new KeyValuePair<string, object?>("topic", lag.Partition.Topic),
                        new KeyValuePair<string, object?>("partition", lag.Partition.Partition));
                }
            }
        }
    }
}
