namespace Orka.Storage;

/// <summary>What <see cref="PartitionLog.SkipCorruptAsync"/> removed: valid batches and unreadable bytes inside the skipped offsets, and the segments rewritten.</summary>
public sealed record SkipReport(long FromOffset, long ToOffset, int SegmentsRewritten, long BatchesDropped, long BytesDropped);
