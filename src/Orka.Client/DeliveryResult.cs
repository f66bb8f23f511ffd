namespace Orka.Client;

/// <summary>Where a produced record landed.</summary>
/// <param name="Partition">The topic and partition the record was appended to.</param>
/// <param name="Offset">The record's offset in that partition.</param>
/// <param name="Timestamp">The record's timestamp (create time), Unix milliseconds.</param>
public sealed record DeliveryResult(TopicPartition Partition, long Offset, long Timestamp);
