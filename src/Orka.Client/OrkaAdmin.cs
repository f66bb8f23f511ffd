using System.Collections.Immutable;

namespace Orka.Client;

/// <summary>Topic and cluster administration over an Orleans client.</summary>
public sealed class OrkaAdmin(IClusterClient client)
{
    public Task<TopicMetadata> CreateTopicAsync(string name, int partitions, IReadOnlyDictionary<string, string>? config = null)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).CreateAsync(new TopicSpec(name, partitions, config?.ToImmutableDictionary()));
    }

    public Task<ImmutableArray<string>> ListTopicsAsync() => client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();

    public Task<TopicDescription> DescribeTopicAsync(string name)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).DescribeAsync();
    }

    public Task DeleteTopicAsync(string name)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).DeleteAsync();
    }

    public Task<ImmutableArray<NodeInfo>> ListNodesAsync() => client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListNodesAsync();

    /// <summary>The topic's metadata; throws UnknownTopicOrPartition when it does not exist.</summary>
    public async Task<TopicMetadata> GetTopicAsync(string name)
    {
        Names.ValidateTopicName(name);
        return await client.GetGrain<ITopicGrain>(name).GetMetadataAsync()
            ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
    }
}
