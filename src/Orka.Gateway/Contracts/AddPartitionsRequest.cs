namespace Orka.Gateway.Contracts;

/// <summary>Body of <c>POST /api/topics/{name}/partitions</c>: the new total partition count.</summary>
public sealed record AddPartitionsRequest(int Count);
