namespace Orka.Storage;

/// <summary>
/// What the log needs to know about one validated batch it is appending: where it sits in the
/// caller's buffer and which offsets and timestamps it carries.
/// </summary>
internal readonly record struct BatchInfo(int Position, int Size, long BaseOffset, long LastOffset, long MaxTimestamp, int RecordCount);
