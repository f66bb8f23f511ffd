using System.Buffers;
using System.Buffers.Binary;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Records;

/// <summary>
/// Builds one Kafka RecordBatch v2 from records (the producer side: the native client encodes
/// batches so the broker never touches individual records), uncompressed or compressed with
/// <see cref="Compression"/>. Reusable after <see cref="Reset"/>. The byte layout, and each codec's
/// framing, is specified in <c>FORMAT.md</c>.
/// </summary>
/// <remarks>
/// Each record is encoded as it is appended (its deltas only depend on the first record's timestamp
/// and its own position), so <see cref="Build"/> is one header write, one copy and one CRC pass,
/// plus one compression pass when <see cref="Compression"/> is set. The records buffer (and the
/// compression buffer) is kept across <see cref="Reset"/> so a reused builder stops allocating,
/// beyond the batch it returns and the codec's own state, once it has seen its largest batch.
/// Not thread-safe.
/// </remarks>
public sealed class RecordBatchBuilder
{
    // The records, encoded as appended, after HeaderSize bytes left free for the batch header, so an
    // uncompressed batch can be finished in place (BuildInPlace) without a copy.
    private byte[] _records = new byte[HeaderSize + 256];
    private ArrayBufferWriter<byte>? _compressed;
    private RecordBatchCompression _compression;
    private int _recordsLength;
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp;

    /// <summary>Creates a builder whose batches use <paramref name="compression"/> (none by default).</summary>
    public RecordBatchBuilder(RecordBatchCompression compression = RecordBatchCompression.None) => Compression = compression;

    /// <summary>
    /// The codec <see cref="Build"/> compresses the records with (attributes bits 0-2). Gzip, snappy
    /// (xerial framing, as Kafka's Java producer writes), lz4 (frame format) and zstd (frame format)
    /// are what every Kafka client reads. Can change between batches.
    /// </summary>
    public RecordBatchCompression Compression
    {
        get => _compression;
        set
        {
            if (value is < RecordBatchCompression.None or > RecordBatchCompression.Zstd)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Kafka defines codecs 0-4 only.");
            }

            _compression = value;
        }
    }

    /// <summary>Records added since the last reset.</summary>
    public int Count => _count;

    /// <summary>Size in bytes the batch will have if built now without compression (an upper bound in practice when compressed).</summary>
    public int SizeInBytes => HeaderSize + _recordsLength;

    /// <summary>Adds a record. Null key/value are encoded as Kafka nulls (length -1).</summary>
    public void Append(long timestamp, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null, bool keyIsNull = false, bool valueIsNull = false)
    {
        if (_count == int.MaxValue)
        {
            throw new InvalidOperationException("A batch cannot hold more than int.MaxValue records.");
        }

        if (_count == 0)
        {
            _baseTimestamp = timestamp;
            _maxTimestamp = timestamp;
        }
        else if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }

        var timestampDelta = timestamp - _baseTimestamp;
        var offsetDelta = _count;
        headers ??= [];

        var bodySize = RecordEncoding.BodySize(timestampDelta, offsetDelta, key.Length, keyIsNull, value.Length, valueIsNull, headers);
        var totalSize = RecordEncoding.TotalSize(bodySize);
        EnsureCapacity(totalSize);
        RecordEncoding.Write(_records.AsSpan(HeaderSize + _recordsLength, totalSize), bodySize, timestampDelta, offsetDelta, key, keyIsNull, value, valueIsNull, headers);
        _recordsLength += totalSize;
        _count++;
    }

    /// <summary>Encodes the batch (base offset 0; the log assigns the real one) with its CRC-32C, into a new array.</summary>
    public byte[] Build(long producerId = -1, short producerEpoch = -1, int baseSequence = -1)
    {
        EnsureRecords();
        ReadOnlySpan<byte> records = _records.AsSpan(HeaderSize, _recordsLength);
        if (_compression != RecordBatchCompression.None)
        {
            _compressed ??= new ArrayBufferWriter<byte>();
            _compressed.ResetWrittenCount();
            RecordBatchCodec.Compress(_compression, records, _compressed);
            records = _compressed.WrittenSpan;
        }

        var batch = new byte[HeaderSize + records.Length];
        records.CopyTo(batch.AsSpan(RecordsOffset));
        WriteHeader(batch, producerId, producerEpoch, baseSequence);
        return batch;
    }

    /// <summary>
    /// Encodes the batch like <see cref="Build"/> but, when uncompressed, in the builder's own buffer:
    /// no new array and no copy of the records (a 1 MiB batch costs a 1 MiB allocation and copy with
    /// <see cref="Build"/>). The memory returned is valid until the next <see cref="Append"/> or
    /// <see cref="Reset"/>; a compressed batch comes in a new array as from <see cref="Build"/>.
    /// </summary>
    public ReadOnlyMemory<byte> BuildInPlace(long producerId = -1, short producerEpoch = -1, int baseSequence = -1)
    {
        if (_compression != RecordBatchCompression.None)
        {
            return Build(producerId, producerEpoch, baseSequence);
        }

        EnsureRecords();
        var batch = _records.AsMemory(0, HeaderSize + _recordsLength);
        WriteHeader(batch.Span, producerId, producerEpoch, baseSequence);
        return batch;
    }

    private void EnsureRecords()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record; the log rejects empty batches.");
        }
    }

    /// <summary>Writes the header fields and the CRC-32C into <paramref name="span"/>, whose records are already in place.</summary>
    private void WriteHeader(Span<byte> span, long producerId, short producerEpoch, int baseSequence)
    {
        BinaryPrimitives.WriteInt64BigEndian(span[BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[BatchLengthOffset..], span.Length - LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[PartitionLeaderEpochOffset..], -1);
        span[MagicOffset] = Magic;
        BinaryPrimitives.WriteInt16BigEndian(span[AttributesOffset..], (short)_compression); // CreateTime, not transactional
        BinaryPrimitives.WriteInt32BigEndian(span[LastOffsetDeltaOffset..], _count - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[ProducerIdOffset..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(span[ProducerEpochOffset..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[BaseSequenceOffset..], baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordCountOffset..], _count);
        BinaryPrimitives.WriteUInt32BigEndian(span[CrcOffset..], Crc32C.Compute(span[AttributesOffset..]));
    }

    /// <summary>Forgets every record so the builder can be reused.</summary>
    public void Reset()
    {
        _recordsLength = 0;
        _count = 0;
        _baseTimestamp = 0;
        _maxTimestamp = 0;
    }

    private void EnsureCapacity(int extra)
    {
        var needed = (long)HeaderSize + _recordsLength + extra;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException("The batch would exceed the largest array .NET can allocate.");
        }

        if (needed > _records.Length)
        {
            Array.Resize(ref _records, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _records.Length)));
        }
    }
}
