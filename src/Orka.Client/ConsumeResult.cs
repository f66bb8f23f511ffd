using Orka.Records;

namespace Orka.Client;

/// <summary>One consumed record and where it came from.</summary>
/// <param name="Partition">The topic and partition the record was read from.</param>
/// <param name="Offset">The record's offset in its partition.</param>
/// <param name="Timestamp">The record's timestamp, Unix milliseconds.</param>
/// <param name="Key">The key bytes; null for a record without a key.</param>
/// <param name="Value">The value bytes; null for a tombstone.</param>
/// <param name="Headers">The record's headers, in order.</param>
public sealed record ConsumeResult(
    TopicPartition Partition,
    long Offset,
    long Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
