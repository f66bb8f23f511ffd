namespace Orka.Storage;

/// <summary>Decodes the records of a buffer of consecutive RecordBatch v2 batches.</summary>
public static class RecordBatchReader
{
    /// <summary>
    /// Every record of every whole batch in <paramref name="batches"/>, in order; a trailing partial
    /// batch is ignored. Throws <see cref="StorageException"/> (CorruptRecord) on a bad batch.
    /// </summary>
    public static IEnumerable<Record> ReadRecords(ReadOnlyMemory<byte> batches) => throw new NotImplementedException();
}
