namespace Orka.Records;

/// <summary>Outcome of checking the bytes of one batch (see <see cref="RecordBatchHeader.ReadValidated"/>).</summary>
internal enum BatchStatus
{
    Valid,
    /// <summary>The bytes end before the batch does.</summary>
    Incomplete,
    /// <summary>Length, magic, CRC or counts are wrong.</summary>
    Corrupt,
}
