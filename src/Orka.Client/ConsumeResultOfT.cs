using Orka.Records;

namespace Orka.Client;

/// <summary>One consumed record with its key and value deserialized, and where it came from.</summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <typeparam name="TValue">The record value type.</typeparam>
/// <param name="Partition">The topic and partition the record was read from.</param>
/// <param name="Offset">The record's offset in its partition.</param>
/// <param name="Timestamp">The record's timestamp, Unix milliseconds.</param>
/// <param name="Key">The deserialized key.</param>
/// <param name="Value">The deserialized value.</param>
/// <param name="Headers">The record's headers, as stored.</param>
public sealed record ConsumeResult<TKey, TValue>(
    TopicPartition Partition,
    long Offset,
    long Timestamp,
    TKey Key,
    TValue Value,
    IReadOnlyList<RecordHeader> Headers);
