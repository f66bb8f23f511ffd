namespace Orka.Gateway.Contracts;

/// <summary>A group's lag when the gateway sampled it: in total and per partition (keyed <c>topic/partition</c>).</summary>
public sealed record LagSample(DateTimeOffset At, long TotalLag, IReadOnlyDictionary<string, long> Partitions);
