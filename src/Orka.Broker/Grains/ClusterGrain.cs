using System.Collections.Immutable;
using Orleans.Runtime;
using Orka.Broker.Metadata;
using Orka.Broker.Placement;

namespace Orka.Broker.Grains;

/// <summary>The topic registry and the node list (nodes come from Orleans membership, not state).</summary>
internal sealed class ClusterGrain(
    [PersistentState("cluster", OrkaStorage.Name)] IPersistentState<ClusterState> state,
    IClusterMembershipService membership) : Grain, IClusterGrain
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

    public async Task RemoveTopicAsync(string topic)
    {
        var topics = state.State.Topics;
        var at = topics.BinarySearch(topic, StringComparer.Ordinal);
        if (at >= 0)
        {
            topics.RemoveAt(at);
            await state.WriteStateAsync();
        }
    }

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
