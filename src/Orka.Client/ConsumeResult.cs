using Orka.Storage;

namespace Orka.Client;

/// <summary>One consumed record and where it came from.</summary>
public sealed record ConsumeResult(
    TopicPartition Partition,
    long Offset,
    long Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
