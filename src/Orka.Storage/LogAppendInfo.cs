namespace Orka.Storage;

/// <summary>
/// What an append did: the offsets assigned to the appended batches (inclusive range), the largest
/// record timestamp among them, and how many records and bytes went in.
/// </summary>
public readonly record struct LogAppendInfo(long FirstOffset, long LastOffset, long MaxTimestamp, int RecordCount, int SizeInBytes);
