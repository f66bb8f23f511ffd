namespace Orka.Gateway.Throughput;

/// <summary>One observation of a topic: when, which incarnation, its records in and consumed so far.</summary>
internal readonly record struct Sample(DateTimeOffset At, Guid TopicId, long LogEnd, long Committed);
