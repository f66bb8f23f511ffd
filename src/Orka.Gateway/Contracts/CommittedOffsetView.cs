namespace Orka.Gateway.Contracts;

/// <summary>A committed offset: the next offset the group will read in a partition.</summary>
public sealed record CommittedOffsetView(string Topic, int Partition, long Offset);
