using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Orka.Gateway.Throughput;

/// <summary>
/// Samples, every <see cref="GatewayOptions.ThroughputSampleInterval"/>, each topic's total log end
/// offset (records in), the sum of its consumer groups' committed offsets (records out) and its
/// stored size, and answers records/s averaged over <see cref="GatewayOptions.ThroughputWindow"/>
/// and the last 10 minutes of records/s and bytes/s (<see cref="ThroughputHistoryOf"/>). The nodes' byte and
/// record counters (their <c>Orka</c> meter) are not readable through the cluster client, so rates are
/// differences of offsets and sizes: records later removed by retention
/// or compaction still count, and "out" moves only when groups commit. A sample costs one describe
/// per topic and one lag read per group; rates are zero until two samples exist.
/// The same samples give each group's lag over time (<see cref="LagHistoryOf"/>), so the console's
/// chart has history from before it was opened.
/// </summary>
public sealed partial class ThroughputSampler(
    IClusterClient client,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ThroughputSampler> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TopicSamples> _topics = new(StringComparer.Ordinal);
    private readonly GroupLagHistory _lag = new();

    /// <summary>
    /// The group's lag at each sample of the last <see cref="GroupLagHistory.Capacity"/> samples after
    /// <paramref name="since"/>, oldest first; empty for a group not sampled yet.
    /// </summary>
    public IReadOnlyList<Contracts.LagSample> LagHistoryOf(string groupId, DateTimeOffset? since) => _lag.Of(groupId, since);

    /// <summary>
    /// The topic's throughput between consecutive samples of the last <see cref="TopicSamples.Capacity"/>,
    /// oldest first, only those after <paramref name="since"/>; empty for a topic not sampled twice yet.
    /// </summary>
    public IReadOnlyList<Contracts.ThroughputPoint> ThroughputHistoryOf(string topic, DateTimeOffset? since) =>
        _topics.TryGetValue(topic, out var samples) ? samples.History(since) : [];

    /// <summary>Records/s in and out of <paramref name="topic"/>; zeros when not sampled yet.</summary>
    public (double In, double Out) RatesOf(string topic) =>
        _topics.TryGetValue(topic, out var samples) ? samples.Rates(options.Value.ThroughputWindow) : (0, 0);

    /// <summary>
    /// Takes one sample of every topic and group now (also what the background loop does each
    /// interval): topics' log end offsets and sizes, and every group's lag (which carries its committed offsets).
    /// </summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var names = await client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();
        var lags = await LagByGroupAsync(cancellationToken);
        var consumed = lags.Values.SelectMany(l => l).Where(l => l.CommittedOffset >= 0)
            .GroupBy(l => l.Partition.Topic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(l => l.CommittedOffset), StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var descriptions = await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                return await client.GetGrain<ITopicGrain>(name).DescribeAsync();
            }
            catch (OrkaException e)
            {
                // Deleted since the list was read: skip it this round.
                Log.SampleSkipped(logger, name, e.Code);
                return null;
            }
        }));
        foreach (var description in descriptions.OfType<TopicDescription>())
        {
            var name = description.Metadata.Name;
            var up = description.Partitions.Where(p => p.LogEndOffset >= 0).ToList(); // -1: node down
            _topics.GetOrAdd(name, _ => new TopicSamples()).Add(new Sample(
                now,
                description.Metadata.TopicId,
                up.Sum(p => p.LogEndOffset),
                consumed.GetValueOrDefault(name),
                up.Sum(p => Math.Max(0, p.SizeInBytes)),
                up.Sum(p => Math.Max(0, p.LogEndOffset - p.LogStartOffset))));
        }

        foreach (var gone in _topics.Keys.Except(names))
        {
            _topics.TryRemove(gone, out _);
        }

        _lag.Add(now, lags);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ThroughputSampleInterval, time);
        do
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The cluster may be unreachable for a while (starting, restarting): keep trying.
                Log.SampleFailed(logger, e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Throughput sample of topic {Topic} skipped: {Code}")]
        public static partial void SampleSkipped(ILogger logger, string topic, OrkaErrorCode code);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Throughput sample failed: {Type}: {Message}")]
        public static partial void SampleFailed(ILogger logger, string type, string message);
    }
}
