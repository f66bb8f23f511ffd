namespace Orka.Gateway.Contracts;

/// <summary>
/// A topic's throughput between two gateway samples, ending <see cref="At"/>. Records in: growth of
/// the log end offsets; records out: growth of every group's committed offsets. Bytes in: growth of
/// the stored size (a retention or compaction pass in the interval hides it: it shows 0 then);
/// bytes out: records out times the average stored record size (an estimate: the gateway sees no
/// fetched bytes).
/// </summary>
public sealed record ThroughputPoint(
    DateTimeOffset At,
    double RecordsInPerSecond,
    double RecordsOutPerSecond,
    double BytesInPerSecond,
    double BytesOutPerSecond);
