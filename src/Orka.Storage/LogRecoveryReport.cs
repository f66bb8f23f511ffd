namespace Orka.Storage;

/// <summary>
/// What opening a partition log found and repaired (see <see cref="PartitionLog.LastRecovery"/>).
/// </summary>
/// <param name="SegmentsChecked">Segments whose every batch was read and CRC-checked.</param>
/// <param name="BatchesChecked">Batches that passed those checks.</param>
/// <param name="BytesTruncated">Bytes cut from the end of the log: a torn or corrupt tail, and any segments after it.</param>
/// <param name="SegmentsDeleted">Whole segments removed because they followed a corrupt point.</param>
/// <param name="IndexesRebuilt">Offset indexes of trusted segments that were missing or inconsistent and were rebuilt.</param>
/// <param name="LogEndOffset">The log end offset after recovery.</param>
/// <param name="Problem">The first corruption found, or null when the log was intact.</param>
public sealed record LogRecoveryReport(
    int SegmentsChecked,
    long BatchesChecked,
    long BytesTruncated,
    int SegmentsDeleted,
    int IndexesRebuilt,
    long LogEndOffset,
    string? Problem);
