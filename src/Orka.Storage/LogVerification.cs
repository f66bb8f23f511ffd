namespace Orka.Storage;

/// <summary>What <see cref="PartitionLog.VerifyAsync"/> found: how much it checked, and every bad range (empty when all is well).</summary>
public sealed record LogVerification(int Segments, long Batches, long Bytes, IReadOnlyList<CorruptBatchRange> CorruptRanges)
{
    public bool IsIntact => CorruptRanges.Count == 0;
}
