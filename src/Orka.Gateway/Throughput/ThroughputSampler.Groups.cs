using System.Collections.Immutable;

namespace Orka.Gateway.Throughput;

public sealed partial class ThroughputSampler
{
    /// <summary>
    /// Every group's committed offsets (what groups have consumed so far). Costs one listing of the
    /// groups and one committed-offsets read per group.
    /// </summary>
    private async Task<Dictionary<string, ImmutableArray<CommittedOffset>>> CommittedByGroupAsync(CancellationToken cancellationToken)
    {
        var groups = await client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListGroupsAsync().WaitAsync(cancellationToken);
        var committed = await Task.WhenAll(groups.Select(async g =>
            (g.GroupId, Offsets: (await client.GetGrain<IConsumerGroupGrain>(g.GroupId).GetCommittedAsync()).Where(c => c.Offset >= 0).ToImmutableArray())));
        return committed.ToDictionary(c => c.GroupId, c => c.Offsets, StringComparer.Ordinal);
    }
}
