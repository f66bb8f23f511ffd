namespace Orka.Client;

/// <summary>Where a produced record landed.</summary>
public sealed record DeliveryResult(TopicPartition Partition, long Offset, long Timestamp);
