namespace Orka.Gateway.Contracts;

/// <summary>A group's position in one partition and how far it trails the log end.</summary>
public sealed record GroupOffsetView(string Topic, int Partition, long CommittedOffset, long LogEndOffset, long Lag, string? MemberId);
