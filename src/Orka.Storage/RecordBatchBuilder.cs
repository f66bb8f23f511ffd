namespace Orka.Storage;

/// <summary>
/// Builds one uncompressed Kafka RecordBatch v2 from records (the producer side: the native client
/// encodes batches so the broker never touches individual records). Reusable after <see cref="Reset"/>.
/// </summary>
public sealed class RecordBatchBuilder
{
    /// <summary>Records added since the last reset.</summary>
    public int Count => throw new NotImplementedException();

    /// <summary>Size in bytes the batch will have if built now.</summary>
    public int SizeInBytes => throw new NotImplementedException();

    /// <summary>Adds a record. Null key/value are encoded as Kafka nulls (length -1).</summary>
    public void Append(long timestamp, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null, bool keyIsNull = false, bool valueIsNull = false)
        => throw new NotImplementedException();

    /// <summary>Encodes the batch (base offset 0; the log assigns the real one) with its CRC-32C.</summary>
    public byte[] Build(long producerId = -1, short producerEpoch = -1, int baseSequence = -1)
        => throw new NotImplementedException();

    /// <summary>Forgets every record so the builder can be reused.</summary>
    public void Reset() => throw new NotImplementedException();
}
