namespace Orka.Gateway.Contracts;

/// <summary>One partition: the node holding it, its log start and end offsets, its size on disk.</summary>
public sealed record PartitionView(int Partition, int Node, long LogStartOffset, long LogEndOffset, long SizeBytes);
