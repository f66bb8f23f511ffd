using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Orka.Gateway.Throughput;

/// <summary>
/// Samples, every <see cref="GatewayOptions.ThroughputSampleInterval"/>, each topic's total log end
/// offset (records in) and the sum of its consumer groups' committed offsets (records out), and
/// answers records/s averaged over <see cref="GatewayOptions.ThroughputWindow"/>. The broker keeps
/// no counters of its own, so rates are differences of offsets: records later removed by retention
/// or compaction still count, and "out" moves only when groups commit. A sample costs one describe
/// per topic and one committed-offsets read per group; rates are zero until two samples exist.
/// </summary>
public sealed partial class ThroughputSampler(
    IClusterClient client,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ThroughputSampler> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TopicSamples> _topics = new(StringComparer.Ordinal);

    /// <summary>Records/s in and out of <paramref name="topic"/>; zeros when not sampled yet.</summary>
    public (double In, double Out) RatesOf(string topic) =>
        _topics.TryGetValue(topic, out var samples) ? samples.Rates(options.Value.ThroughputWindow) : (0, 0);

    /// <summary>Takes one sample of every topic now (also what the background loop does each interval).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var names = await client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();
        var consumed = await CommittedByTopicAsync(cancellationToken);
        var now = time.GetUtcNow();
        await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                var description = await client.GetGrain<ITopicGrain>(name).DescribeAsync();
                var end = description.Partitions.Sum(p => Math.Max(0, p.LogEndOffset)); // -1: node down
                var samples = _topics.GetOrAdd(name, _ => new TopicSamples());
                samples.Add(new Sample(now, description.Metadata.TopicId, end, consumed.GetValueOrDefault(name)));
            }
            catch (OrkaException e)
            {
                // Deleted since the list was read, or a node is down: skip it this round.
                Log.SampleSkipped(logger, name, e.Code);
            }
        }));
        foreach (var gone in _topics.Keys.Except(names))
        {
            _topics.TryRemove(gone, out _);
        }
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
