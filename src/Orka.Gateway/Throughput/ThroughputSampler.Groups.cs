namespace Orka.Gateway.Throughput;

public sealed partial class ThroughputSampler
{
    /// <summary>
    /// Per topic, the sum of every group's committed offsets (what groups have consumed so far).
    /// Costs one listing of the groups and one committed-offsets read per group.
    /// </summary>
    private async Task<Dictionary<string, long>> CommittedByTopicAsync(CancellationToken cancellationToken)
    {
        var groups = await client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListGroupsAsync().WaitAsync(cancellationToken);
        var committed = await Task.WhenAll(groups.Select(g => client.GetGrain<IConsumerGroupGrain>(g.GroupId).GetCommittedAsync()));
        return committed.SelectMany(c => c)
            .Where(c => c.Offset >= 0)
            .GroupBy(c => c.Partition.Topic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Offset), StringComparer.Ordinal);
    }
}
