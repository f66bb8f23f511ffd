using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Cluster;

namespace Orka.Broker.Topics;

/// <summary>
/// One topic's metadata: its id, config and the node of each partition. Partitions are spread
/// round-robin over the nodes that are live at creation, starting at a node picked from the name's
/// hash so that many small topics do not all start on node 0.
/// </summary>
internal sealed class TopicGrain(
    [PersistentState("topic", MetadataStore.Name)] IPersistentState<TopicState> state,
    IClusterMembershipService membership,
    IOptions<OrkaNodeOptions> node,
    TimeProvider time,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
    /// <summary>A bound on partitions per topic, so one request cannot ask for millions of logs.</summary>
    public const int MaxPartitions = 10_000;

    /// <summary>The stored topic as callers see it, kept beside the state so that reads do not convert it.</summary>
    private TopicMetadata? _metadata;

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _metadata = state.State.Metadata?.ToMetadata();
        return Task.CompletedTask;
    }

    public async Task<TopicMetadata> CreateAsync(TopicSpec spec)
    {
        Names.ValidateTopicName(Name);
        if (spec.Name != Name)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Spec names topic '{spec.Name}' but was sent to topic '{Name}'.");
        }

        if (spec.Partitions is < 1 or > MaxPartitions)
        {
            throw new OrkaException(OrkaErrorCode.InvalidPartitions, $"Partition count must be between 1 and {MaxPartitions}; got {spec.Partitions}.");
        }

        var config = spec.Config ?? ImmutableDictionary<string, string>.Empty;
        TopicConfigs.Validate(config);
        if (_metadata is not null)
        {
            throw new OrkaException(OrkaErrorCode.TopicAlreadyExists, $"Topic '{Name}' already exists.");
        }

        var nodes = LiveNodes();
        if (nodes.Length == 0)
        {
            throw new OrkaException(OrkaErrorCode.LeaderNotAvailable, "No Orka node is running to hold the partitions.");
        }

        var start = (int)((uint)StableHash(Name) % (uint)nodes.Length);
        var assignments = Enumerable.Range(0, spec.Partitions).Select(p => PartitionAssignment.OnNode(nodes[(start + p) % nodes.Length])).ToImmutableArray();
        CheckNodesCanHold(assignments, await LoadAsync(nodes, current: null));
        var metadata = new TopicMetadata(Name, Guid.NewGuid(), assignments, config, time.GetUtcNow());
        await SaveAsync(metadata);
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).AddTopicAsync(Name);
        logger.LogInformation("Created topic {Topic} with {Partitions} partitions on nodes {Nodes}", Name, spec.Partitions, string.Join(",", assignments.Select(a => a.Leader)));
        return metadata;
    }

    public Task<TopicMetadata?> GetMetadataAsync() => Task.FromResult(_metadata);

    public async Task<TopicDescription> DescribeAsync()
    {
        var metadata = Existing();
        var offsets = await Task.WhenAll(Enumerable.Range(0, metadata.PartitionCount).Select(async p =>
        {
            try
            {
                return await GrainFactory.GetPartitionGrain(Name, p).GetOffsetsAsync();
            }
            catch (OrkaException e) when (e.IsRetriable)
            {
                // The node is down: describe still says where the partition lives.
                return new PartitionOffsets(p, metadata.Assignments[p].Leader, -1, -1, -1);
            }
        }));
        return new TopicDescription(metadata, [.. offsets]);
    }

    public async Task<TopicMetadata> AlterConfigAsync(ImmutableDictionary<string, string> config)
    {
        var metadata = Existing();
        TopicConfigs.Validate(config);
        var altered = metadata with { Config = config };
        await SaveAsync(altered);

        // Running logs take the new config now; a partition whose node is down reads it when it activates.
        await ForEachPartitionAsync(altered, p => p.UpdateConfigAsync(config));
        logger.LogInformation("Altered config of topic {Topic}", Name);
        return altered;
    }

    public async Task<TopicMetadata> AddPartitionsAsync(int totalPartitions)
    {
        var metadata = Existing();
        if (totalPartitions <= metadata.PartitionCount || totalPartitions > MaxPartitions)
        {
            throw new OrkaException(
                OrkaErrorCode.InvalidPartitions,
                $"Topic '{Name}' has {metadata.PartitionCount} partitions; the new count must be larger and at most {MaxPartitions}, not {totalPartitions}.");
        }

        var load = LiveNodes().ToDictionary(n => n, _ => 0);
        if (load.Count == 0)
        {
            throw new OrkaException(OrkaErrorCode.LeaderNotAvailable, "No Orka node is running to hold the partitions.");
        }

        foreach (var topic in await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync())
        {
            var other = topic == Name ? metadata : await GrainFactory.GetGrain<ITopicGrain>(topic).GetMetadataAsync();
            foreach (var node in other?.Assignments.SelectMany(a => a.Replicas) ?? [])
            {
                if (load.ContainsKey(node))
                {
                    load[node]++;
                }
            }
        }

        var before = new Dictionary<int, int>(load);
        var assignments = metadata.Assignments.ToBuilder();
        while (assignments.Count < totalPartitions)
        {
            var leastLoaded = load.OrderBy(n => n.Value).ThenBy(n => n.Key).First().Key;
            assignments.Add(PartitionAssignment.OnNode(leastLoaded));
            load[leastLoaded]++;
        }

        CheckNodesCanHold(assignments.Skip(metadata.PartitionCount), before);

        var grown = metadata with { Assignments = assignments.ToImmutable() };
        await SaveAsync(grown);
        logger.LogInformation("Topic {Topic} grew to {Partitions} partitions on nodes {Nodes}", Name, totalPartitions, string.Join(",", grown.Assignments.Select(a => a.Leader)));
        return grown;
    }

    /// <summary>Partitions of every topic per live node (the topic being changed counted as <paramref name="current"/>).</summary>
    private async Task<Dictionary<int, int>> LoadAsync(int[] nodes, TopicMetadata? current)
    {
        var load = nodes.ToDictionary(n => n, _ => 0);
        foreach (var topic in await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync())
        {
            var other = topic == Name ? current : await GrainFactory.GetGrain<ITopicGrain>(topic).GetMetadataAsync();
            foreach (var n in other?.Assignments.SelectMany(a => a.Replicas) ?? [])
            {
                if (load.ContainsKey(n))
                {
                    load[n]++;
                }
            }
        }

        return load;
    }

    /// <summary>
    /// Refuses (InvalidPartitions) new partitions that would put more than Orka:MaxPartitionsPerNode
    /// partition logs on a node, given <paramref name="load"/> (what each node holds now), with an
    /// error that says which node, how many it holds and the limit.
    /// </summary>
    private void CheckNodesCanHold(IEnumerable<PartitionAssignment> added, Dictionary<int, int> load)
    {
        var limit = node.Value.MaxPartitionsPerNode;
        foreach (var group in added.SelectMany(a => a.Replicas).GroupBy(n => n))
        {
            var held = load.GetValueOrDefault(group.Key);
            if (held + group.Count() > limit)
            {
                throw new OrkaException(OrkaErrorCode.InvalidPartitions,
                    $"Topic '{Name}' would put {group.Count()} partitions on node {group.Key}, which holds {held}; a node holds at most {limit} partition logs (Orka:MaxPartitionsPerNode). Use fewer partitions or add nodes.");
            }
        }
    }

    public async Task DeleteAsync()
    {
        var metadata = Existing();

        // A partition whose node is down is skipped: DeletedTopicSweeper removes it when the node is back.
        await ForEachPartitionAsync(metadata, p => p.DeleteLogAsync());

        await state.ClearStateAsync();
        _metadata = null;
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RemoveTopicAsync(Name, metadata.TopicId);
        logger.LogInformation("Deleted topic {Topic}", Name);
    }

    /// <summary>Calls every partition; partitions whose node is down are skipped (logged).</summary>
    private async Task ForEachPartitionAsync(TopicMetadata metadata, Func<IPartitionGrain, Task> call)
    {
        await Task.WhenAll(Enumerable.Range(0, metadata.PartitionCount).Select(async p =>
        {
            try
            {
                await call(GrainFactory.GetPartitionGrain(Name, p));
            }
            catch (OrkaException e) when (e.IsRetriable)
            {
                logger.LogWarning("Topic {Topic} partition {Partition} skipped: node {Node} is down", Name, p, metadata.Assignments[p].Leader);
            }
        }));
    }

    /// <summary>Writes <paramref name="metadata"/>; callers see it only once it is stored, and a failed write leaves the old state.</summary>
    private async Task SaveAsync(TopicMetadata metadata)
    {
        var previous = state.State.Metadata;
        state.State.Metadata = StoredTopic.From(metadata);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Metadata = previous;
            throw;
        }

        _metadata = metadata;
    }

    private TopicMetadata Existing() => _metadata
        ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{Name}' does not exist.");

    private int[] LiveNodes() => membership.CurrentSnapshot.Members.Values
        .Where(m => m.Status == SiloStatus.Active)
        .Select(m => NodeNames.TryParseSiloName(m.Name, out var id) ? id : -1)
        .Where(id => id >= 0)
        .Distinct()
        .Order()
        .ToArray();

    /// <summary>FNV-1a: string.GetHashCode is randomized per process, and placement must not be.</summary>
    private static int StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
