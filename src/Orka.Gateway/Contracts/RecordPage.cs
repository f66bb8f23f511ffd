namespace Orka.Gateway.Contracts;

/// <summary>
/// Records of one partition from an offset. <see cref="NextOffset"/> is where the next page starts
/// (the paging cursor of this list); it equals <see cref="LogEndOffset"/> once the reader is caught up.
/// </summary>
public sealed record RecordPage(
    string Topic,
    int Partition,
    long LogStartOffset,
    long LogEndOffset,
    long NextOffset,
    IReadOnlyList<RecordView> Records);
