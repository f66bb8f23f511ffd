namespace Orka.Records;

/// <summary>A record header: a UTF-8 key and an optional (nullable) value.</summary>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);
