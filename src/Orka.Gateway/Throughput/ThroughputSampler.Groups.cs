namespace Orka.Gateway.Throughput;

public sealed partial class ThroughputSampler
{
    /// <summary>Per topic, the sum of every group's committed offsets (what groups have consumed).</summary>
    private Task<Dictionary<string, long>> CommittedByTopicAsync(CancellationToken cancellationToken)
    {
        // Groups cannot be listed yet (IClusterGrain.ListGroupsAsync comes with the groups API), so
        // nothing counts as consumed and "out" stays 0.
        _ = cancellationToken;
        return Task.FromResult(new Dictionary<string, long>(StringComparer.Ordinal));
    }
}
