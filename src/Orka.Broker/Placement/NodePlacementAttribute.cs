using Orleans.Placement;

namespace Orka.Broker.Placement;

/// <summary>Marks a grain class whose activations must live on their partition's node.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute() : PlacementAttribute(NodePlacementStrategy.Instance);
