namespace Orka.Gateway.Contracts;

/// <summary>The partition and offset a produced record was given.</summary>
public sealed record ProducedRecord(int Partition, long Offset);
