using System.Collections.Immutable;

namespace Orka.Client;

/// <summary>Topic, consumer group and cluster administration over an Orleans client.</summary>
/// <remarks>Stateless and thread-safe: every call is one or a few grain calls.</remarks>
/// <param name="client">A connected Orleans client of the Orka cluster.</param>
public sealed class OrkaAdmin(IClusterClient client)
{
    /// <summary>
    /// Creates a topic whose partitions are spread over the live nodes. Throws TopicAlreadyExists,
    /// InvalidPartitions or InvalidConfig (nothing is created then).
    /// </summary>
    public Task<TopicMetadata> CreateTopicAsync(string name, int partitions, IReadOnlyDictionary<string, string>? config = null)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).CreateAsync(new TopicSpec(name, partitions, config?.ToImmutableDictionary()));
    }

    /// <summary>The names of every topic (one grain call to the cluster grain).</summary>
    public Task<ImmutableArray<string>> ListTopicsAsync() => client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();

    /// <summary>
    /// The topic's config and, per partition, its node, log start and end offsets and size; a partition
    /// whose node is down reports -1s. One call per partition.
    /// </summary>
    public Task<TopicDescription> DescribeTopicAsync(string name)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).DescribeAsync();
    }

    /// <summary>
    /// Deletes the topic and its data on every node that is up; a node that is down deletes its
    /// partitions when it is back.
    /// </summary>
    public Task DeleteTopicAsync(string name)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).DeleteAsync();
    }

    /// <summary>Sets and removes topic config keys; the rest of the config stays as it is.</summary>
    public async Task<TopicMetadata> AlterTopicConfigAsync(string name, IReadOnlyDictionary<string, string> set, IEnumerable<string>? remove = null)
    {
        var current = await GetTopicAsync(name);
        var config = current.Config.SetItems(set).RemoveRange(remove ?? []);
        return await client.GetGrain<ITopicGrain>(name).AlterConfigAsync(config);
    }

    /// <summary>
    /// The topic's full config: every key Orka understands (<see cref="TopicConfigCatalog"/>) with the
    /// value in effect, its default and its source (DynamicTopicConfig when set on the topic,
    /// DefaultConfig otherwise), ordered by name. Throws UnknownTopicOrPartition when the topic does not exist.
    /// </summary>
    public async Task<ImmutableArray<TopicConfigEntry>> DescribeTopicConfigsAsync(string name) =>
        TopicConfigCatalog.Describe((await GetTopicAsync(name)).Config);

    /// <summary>Grows a topic to <paramref name="totalPartitions"/> partitions.</summary>
    public Task<TopicMetadata> AddPartitionsAsync(string name, int totalPartitions)
    {
        Names.ValidateTopicName(name);
        return client.GetGrain<ITopicGrain>(name).AddPartitionsAsync(totalPartitions);
    }

    /// <summary>
    /// Per partition: the first offset with a timestamp at or after <paramref name="timestamp"/>
    /// (-1 when none), or the log start/end for <see cref="OffsetSpec.Earliest"/>/<see cref="OffsetSpec.Latest"/>.
    /// </summary>
    public async Task<ImmutableArray<(int Partition, long Offset)>> ListOffsetsAsync(string name, long timestamp)
    {
        var metadata = await GetTopicAsync(name);
        return await ListOffsetsAsync(name, Enumerable.Range(0, metadata.PartitionCount), timestamp);
    }

    /// <summary>
    /// Like <see cref="ListOffsetsAsync(string, long)"/> for the named partitions only, so that a
    /// partition whose node is down fails only a caller that asked for it.
    /// </summary>
    public async Task<ImmutableArray<(int Partition, long Offset)>> ListOffsetsAsync(string name, IEnumerable<int> partitions, long timestamp)
    {
        var offsets = await Task.WhenAll(partitions.Select(async p =>
            (p, await client.GetPartitionGrain(name, p).ListOffsetAsync(timestamp))));
        return [.. offsets];
    }

    /// <summary>Every consumer group with its state and protocol type (one grain call per group).</summary>
    public Task<ImmutableArray<GroupListing>> ListGroupsAsync() => client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListGroupsAsync();

    /// <summary>
    /// A group's state, generation and members with their assignments (decode a member's
    /// assignment with <see cref="ConsumerProtocolCodec.TryDecodeAssignment"/>). Throws
    /// GroupIdNotFound when the group has neither members nor committed offsets.
    /// </summary>
    public async Task<GroupDescription> DescribeGroupAsync(string groupId)
    {
        Names.ValidateGroupId(groupId);
        var description = await client.GetGrain<IConsumerGroupGrain>(groupId).DescribeAsync();
        return description.State == GroupState.Dead
            ? throw new OrkaException(OrkaErrorCode.GroupIdNotFound, $"Group '{groupId}' does not exist.")
            : description;
    }

    /// <summary>
    /// Committed offset, log end and lag of every partition of every topic the group has offsets in
    /// or is assigned. Throws GroupIdNotFound when the group does not exist.
    /// </summary>
    public async Task<ImmutableArray<PartitionLag>> GetGroupLagAsync(string groupId)
    {
        await DescribeGroupAsync(groupId);
        return await client.GetGrain<IConsumerGroupGrain>(groupId).GetLagAsync();
    }

    /// <summary>
    /// Moves the group's committed offsets in one topic. Only while the group has no members
    /// (NonEmptyGroup otherwise); an explicit offset outside the log is OffsetOutOfRange and moves nothing.
    /// </summary>
    public Task<ImmutableArray<CommittedOffset>> ResetGroupOffsetsAsync(string groupId, OffsetResetRequest request)
    {
        Names.ValidateGroupId(groupId);
        ArgumentNullException.ThrowIfNull(request);
        return client.GetGrain<IConsumerGroupGrain>(groupId).ResetOffsetsAsync(request);
    }

    /// <summary>Deletes a group's committed offsets; NonEmptyGroup while it has members, GroupIdNotFound if there is nothing to delete.</summary>
    public Task DeleteGroupAsync(string groupId)
    {
        Names.ValidateGroupId(groupId);
        return client.GetGrain<IConsumerGroupGrain>(groupId).DeleteAsync();
    }

    /// <summary>The cluster's nodes: node id, the silo carrying it, and its Orleans status.</summary>
    public Task<ImmutableArray<NodeInfo>> ListNodesAsync() => client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListNodesAsync();

    /// <summary>The topic's metadata; throws UnknownTopicOrPartition when it does not exist.</summary>
    public async Task<TopicMetadata> GetTopicAsync(string name)
    {
        Names.ValidateTopicName(name);
        return await client.GetGrain<ITopicGrain>(name).GetMetadataAsync()
            ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
    }
}
