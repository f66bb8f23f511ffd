namespace Orka;

/// <summary>How durable a produced batch must be before the broker answers (Kafka's <c>acks</c>).</summary>
[GenerateSerializer, Alias("Orka.Acks")]
public enum Acks : short
{
    /// <summary>acks=0: the producer does not wait (the broker still appends).</summary>
    None = 0,
    /// <summary>acks=1: appended to the partition's log (in the OS page cache).</summary>
    Leader = 1,
    /// <summary>acks=all: appended and flushed to disk (until replication exists, the leader is "all").</summary>
    All = -1,
}
