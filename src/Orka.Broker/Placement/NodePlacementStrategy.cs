namespace Orka.Broker.Placement;

/// <summary>Places a partition grain on the silo of the node that holds the partition's data.</summary>
[GenerateSerializer, Immutable, Alias("Orka.NodePlacementStrategy")]
public sealed class NodePlacementStrategy : PlacementStrategy
{
    public static NodePlacementStrategy Instance { get; } = new();
}
