namespace Orka.Storage;

/// <summary>
/// Result of walking a segment's <c>.log</c> file batch by batch: how far it holds whole, valid
/// batches, and what was learned on the way.
/// </summary>
/// <param name="ValidBytes">Bytes from the start of the file up to the end of the last good batch.</param>
/// <param name="FileBytes">Length of the file when it was walked.</param>
/// <param name="Batches">Number of good batches.</param>
/// <param name="NextOffset">One past the last offset of the last good batch, or the segment's base offset.</param>
/// <param name="MaxTimestamp">Largest batch max timestamp, or -1 if none.</param>
/// <param name="OffsetOfMaxTimestamp">Base offset of the first batch with that timestamp, or -1.</param>
/// <param name="Problem">Why the walk stopped before the end of the file, or null if it reached it.</param>
internal sealed record SegmentScan(long ValidBytes, long FileBytes, int Batches, long NextOffset, long MaxTimestamp, long OffsetOfMaxTimestamp, string? Problem)
{
    public long InvalidBytes => FileBytes - ValidBytes;
}
