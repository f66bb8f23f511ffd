namespace Orka.Storage;

/// <summary>
/// The result of a read: whole record batches exactly as stored (a fresh buffer the caller owns),
/// plus the log's start and end offsets at the time of the read.
/// </summary>
public readonly record struct FetchDataInfo(ReadOnlyMemory<byte> Batches, long LogStartOffset, long LogEndOffset);
