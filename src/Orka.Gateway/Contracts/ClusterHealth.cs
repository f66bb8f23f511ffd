namespace Orka.Gateway.Contracts;

/// <summary>
/// Healthy when every node that holds partitions is active; Degraded when some partitions are
/// unavailable (their node is down); Unavailable when no node is active.
/// </summary>
public sealed record ClusterHealth(string Status, int ActiveNodes, int KnownNodes, int UnavailablePartitions);
