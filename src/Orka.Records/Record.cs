namespace Orka.Records;

/// <summary>
/// One record as a reader sees it after decoding a RecordBatch v2. <see cref="Key"/> and
/// <see cref="Value"/> are null when the record carries a null key or value (a tombstone has a null
/// value). The memory is a slice of the buffer the batch was decoded from: it stays valid as long as
/// that buffer does.
/// </summary>
public readonly record struct Record(
    long Offset,
    long Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
