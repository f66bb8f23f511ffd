namespace Orka.Storage;

/// <summary>
/// The result of <see cref="PartitionLog.ReadIntoAsync"/>: <see cref="BytesRead"/> bytes of whole
/// batches were written to the caller's buffer. When the first batch alone is larger than the
/// buffer nothing is written and <see cref="RequiredBytes"/> says how large a buffer it needs.
/// </summary>
public readonly record struct ReadIntoResult(int BytesRead, int RequiredBytes, long LogStartOffset, long LogEndOffset);
