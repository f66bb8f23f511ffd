using System.Collections.Immutable;

namespace Orka.Broker.Cluster;

/// <summary>
/// The topic and consumer group registries and the node list (nodes come from Orleans membership,
/// not state). Groups register themselves; their state is asked of each group when listed.
/// </summary>
internal sealed class ClusterGrain(
    [PersistentState("cluster", MetadataStore.Name)] IPersistentState<ClusterState> state,
    IClusterMembershipService membership,
    TimeProvider time) : Grain, IClusterGrain
{
    public Task<ImmutableArray<string>> ListTopicsAsync() => Task.FromResult(state.State.Topics.ToImmutableArray());

    public async Task AddTopicAsync(string topic)
    {
        var topics = state.State.Topics;
        var at = topics.BinarySearch(topic, StringComparer.Ordinal);
        if (at < 0)
        {
            topics.Insert(~at, topic);
            await state.WriteStateAsync();
        }
    }

    /// <summary>How many deletions are remembered; a node down for longer than that many deletions keeps orphans.</summary>
    public const int MaxDeletedTopics = 10_000;

    public async Task RemoveTopicAsync(string topic, Guid topicId)
    {
        var topics = state.State.Topics;
        var at = topics.BinarySearch(topic, StringComparer.Ordinal);
        if (at >= 0)
        {
            topics.RemoveAt(at);
        }

        var deleted = state.State.Deleted;
        deleted.Add(new DeletedTopic(topic, topicId, time.GetUtcNow()));
        if (deleted.Count > MaxDeletedTopics)
        {
            deleted.RemoveRange(0, deleted.Count - MaxDeletedTopics);
        }

        await state.WriteStateAsync();
    }

    public async Task AddGroupAsync(string groupId)
    {
        Names.ValidateGroupId(groupId);
        var groups = state.State.Groups;
        var at = groups.BinarySearch(groupId, StringComparer.Ordinal);
        if (at < 0)
        {
            groups.Insert(~at, groupId);
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveGroupAsync(string groupId)
    {
        var groups = state.State.Groups;
        var at = groups.BinarySearch(groupId, StringComparer.Ordinal);
        if (at >= 0)
        {
            groups.RemoveAt(at);
            await state.WriteStateAsync();
        }
    }

    public async Task<ImmutableArray<GroupListing>> ListGroupsAsync()
    {
        // GetListingAsync is [AlwaysInterleave] and never calls out, so a group that is itself
        // waiting on AddGroupAsync (queued behind this call) still answers: no deadlock.
        var ids = state.State.Groups.ToList();
        var listings = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IConsumerGroupGrain>(id).GetListingAsync()));
        var gone = ids.Where((_, i) => listings[i] is null).ToList();
        if (gone.Count > 0)
        {
            foreach (var id in gone)
            {
                var at = state.State.Groups.BinarySearch(id, StringComparer.Ordinal);
                if (at >= 0)
                {
                    state.State.Groups.RemoveAt(at);
                }
            }

            await state.WriteStateAsync();
        }

        return [.. listings.OfType<GroupListing>()];
    }

    public Task<ImmutableArray<DeletedTopic>> ListDeletedTopicsAsync() => Task.FromResult(state.State.Deleted.ToImmutableArray());

    public Task<ImmutableArray<NodeInfo>> ListNodesAsync()
    {
        var nodes = ImmutableArray.CreateBuilder<NodeInfo>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (NodeNames.TryParseSiloName(member.Name, out var nodeId))
            {
                nodes.Add(new NodeInfo(nodeId, member.SiloAddress.ToString(), member.Status.ToString()));
            }
        }

        return Task.FromResult(nodes
            .OrderBy(n => n.Status == nameof(SiloStatus.Active) ? 0 : 1)
            .ThenBy(n => n.NodeId)
            .ToImmutableArray());
    }
}
