namespace Orka.Gateway.Contracts;

/// <summary>
/// What a bounded search found. <see cref="Scanned"/> records were read (matching or not), in
/// timestamp order across the partitions searched; <see cref="StoppedBecause"/> is <c>limit</c>
/// (enough matches), <c>scanLimit</c> (<c>maxScan</c> records read) or <c>end</c> (every partition
/// read to its log end). <see cref="Positions"/> says where each partition stopped;
/// <see cref="NextCursor"/> (null at the end) continues from there as <c>?cursor=</c>.
/// </summary>
public sealed record RecordSearchPage(
    string Topic,
    long Scanned,
    string StoppedBecause,
    string? NextCursor,
    IReadOnlyList<ScanPosition> Positions,
    IReadOnlyList<RecordView> Records);
