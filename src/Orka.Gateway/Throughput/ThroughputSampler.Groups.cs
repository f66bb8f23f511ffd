using System.Collections.Immutable;

namespace Orka.Gateway.Throughput;

public sealed partial class ThroughputSampler
{
    /// <summary>
    /// Every group's lag per partition, from the group grain's own lag (the figure the groups API
    /// shows, so the chart and the tables agree on what lag means). Costs one listing of the groups
    /// and one lag read per group (which asks each of its partitions for offsets).
    /// </summary>
    private async Task<Dictionary<string, ImmutableArray<PartitionLag>>> LagByGroupAsync(CancellationToken cancellationToken)
    {
        var groups = await client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListGroupsAsync().WaitAsync(cancellationToken);
        var lags = await Task.WhenAll(groups.Select(async g =>
            (g.GroupId, Lag: await client.GetGrain<IConsumerGroupGrain>(g.GroupId).GetLagAsync())));
        return lags.ToDictionary(c => c.GroupId, c => c.Lag, StringComparer.Ordinal);
    }
}
