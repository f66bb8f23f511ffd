namespace Orka;

/// <summary>A node of the cluster: its stable id, the silo currently carrying it, and its status.</summary>
[GenerateSerializer, Immutable, Alias("Orka.NodeInfo")]
public sealed record NodeInfo(
    [property: Id(0)] int NodeId,
    [property: Id(1)] string SiloAddress,
    [property: Id(2)] string Status);
