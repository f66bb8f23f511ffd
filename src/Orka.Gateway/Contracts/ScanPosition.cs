namespace Orka.Gateway.Contracts;

/// <summary>Where a search stopped in one partition: the next offset it would scan, and the log end it saw.</summary>
public sealed record ScanPosition(int Partition, long NextOffset, long LogEndOffset);
