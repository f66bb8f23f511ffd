namespace Orka.Storage;

/// <summary>
/// A stretch of a segment file that does not hold valid batches, and the offsets it hides: what a
/// read that reaches it fails with (CorruptRecord), what <see cref="PartitionLog.VerifyAsync"/>
/// reports, and what <see cref="PartitionLog.SkipCorruptAsync"/> removes.
/// </summary>
/// <param name="SegmentPath">The segment's <c>.log</c> file.</param>
/// <param name="Position">Where the first bad batch starts in that file.</param>
/// <param name="EndPosition">Where the next valid batch starts (or the end of the file): bytes [Position, EndPosition) are unreadable.</param>
/// <param name="FirstOffset">One past the last offset of the valid batch before it (or the segment's base offset).</param>
/// <param name="LastOffset">One before the base offset of the valid batch after it (or the segment's last offset).</param>
/// <param name="Problem">What is wrong with the first bad batch (length, magic, CRC, offsets, truncation).</param>
public sealed record CorruptBatchRange(string SegmentPath, long Position, long EndPosition, long FirstOffset, long LastOffset, string Problem)
{
    /// <summary>The segment's file name, for messages that leave the node (the full path stays in its logs).</summary>
    public string SegmentFile => Path.GetFileName(SegmentPath);

    public bool Contains(long offset) => offset >= FirstOffset && offset <= LastOffset;

    public override string ToString()
        => $"offsets {FirstOffset}..{LastOffset} (segment {SegmentFile}, bytes {Position}..{EndPosition}): {Problem}";
}
