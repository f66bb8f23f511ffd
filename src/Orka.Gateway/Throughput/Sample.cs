namespace Orka.Gateway.Throughput;

/// <summary>
/// One observation of a topic: when, which incarnation, its records in and consumed so far
/// (sums over partitions of log end and of groups' committed offsets), and the bytes and records
/// it holds now.
/// </summary>
internal readonly record struct Sample(DateTimeOffset At, Guid TopicId, long LogEnd, long Committed, long SizeBytes, long RecordsHeld);
