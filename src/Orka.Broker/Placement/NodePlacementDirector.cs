using Orleans.Runtime.Placement;

namespace Orka.Broker.Placement;

/// <summary>
/// Chooses the silo for a new partition grain activation: the live silo of the node that must serve
/// the partition (<see cref="PartitionLeadership.NodeToServe"/>). A partition never moves away from
/// its data: if that node is not running, placement fails with a retriable LeaderNotAvailable
/// instead of picking another silo.
/// </summary>
/// <remarks>
/// The assignment comes from <see cref="ITopicGrain.GetMetadataAsync"/>, which is AlwaysInterleave so
/// that a topic grain that itself calls its partitions (describe, delete) cannot deadlock here.
/// A missing topic or partition is placed locally; the activation then fails with
/// UnknownTopicOrPartition (see PartitionGrain.OnActivateAsync), so nothing stale stays active.
/// </remarks>
internal sealed class NodePlacementDirector(IGrainFactory grainFactory, IClusterMembershipService membership) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var partition = TopicPartition.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        var metadata = await grainFactory.GetGrain<ITopicGrain>(partition.Topic).GetMetadataAsync();
        if (PartitionLeadership.AssignmentOf(metadata, partition.Partition) is not { } assignment)
        {
            return context.LocalSilo;
        }

        var nodeId = PartitionLeadership.NodeToServe(assignment);
        var compatible = context.GetCompatibleSilos(target);
        SiloAddress? chosen = null;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active
                && NodeNames.TryParseSiloName(member.Name, out var memberNode)
                && memberNode == nodeId
                && compatible.Contains(member.SiloAddress)
                && (chosen is null || member.SiloAddress.Generation > chosen.Generation))
            {
                chosen = member.SiloAddress;
            }
        }

        return chosen ?? throw new OrkaException(
            OrkaErrorCode.LeaderNotAvailable,
            $"Partition {partition} is held by node {nodeId}, which is not running.");
    }
}
