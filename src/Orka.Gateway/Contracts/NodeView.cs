namespace Orka.Gateway.Contracts;

/// <summary>A node: its stable id, the silo carrying it, its Orleans status, how many partitions it holds.</summary>
public sealed record NodeView(int Id, string Address, string Status, int PartitionsHeld);
