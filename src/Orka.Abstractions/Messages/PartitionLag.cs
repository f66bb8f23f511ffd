namespace Orka;

/// <summary>
/// How far a consumer group trails one partition. <see cref="CommittedOffset"/> is -1 when the group
/// has committed nothing there; then <see cref="Lag"/> counts from the log start (every record still
/// in the log is unread). <see cref="LogEndOffset"/> and <see cref="Lag"/> are -1 when the
/// partition's node is down or its topic no longer exists. <see cref="MemberId"/> is the member the
/// current generation assigned the partition to, if any.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.PartitionLag")]
public sealed record PartitionLag(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] long CommittedOffset,
    [property: Id(2)] long LogEndOffset,
    [property: Id(3)] long Lag,
    [property: Id(4)] string? MemberId);
