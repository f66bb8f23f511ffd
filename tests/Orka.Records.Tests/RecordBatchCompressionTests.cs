using System.Buffers.Binary;
using System.Text;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Orka.Records.Tests;

/// <summary>
/// Kafka's four codecs: batches the builder compresses read back, and batches compressed by
/// independent code in each format Kafka clients write (raw and xerial snappy, LZ4 frames, zstd
/// frames without a content size) read too; malformed or oversized payloads are refused.
/// </summary>
public sealed class RecordBatchCompressionTests
{
    public static TheoryData<RecordBatchCompression> Codecs =>
        [RecordBatchCompression.Gzip, RecordBatchCompression.Snappy, RecordBatchCompression.Lz4, RecordBatchCompression.Zstd];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Build_EachCodec_RoundTripsEveryRecordField(RecordBatchCompression codec)
    {
        // 300 records of ~500 bytes: more than one xerial block (32 KiB) and one LZ4 block (64 KiB).
        var builder = new RecordBatchBuilder(codec);
        var headers = new[] { new RecordHeader("h", "x"u8.ToArray()), new RecordHeader("null", null) };
        for (var i = 0; i < 300; i++)
        {
            builder.Append(1_000 + i, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"value-{i}-".PadRight(500, (char)('a' + (i % 26)))), i % 7 == 0 ? headers : null, valueIsNull: i == 299);
        }

        var uncompressedSize = builder.SizeInBytes;
        var batch = builder.Build(producerId: 9, producerEpoch: 1, baseSequence: 40);

        var header = RecordBatchHeader.ReadValidated(batch);
        Assert.Equal(codec, header.Compression);
        Assert.True(batch.Length < uncompressedSize / 4, $"{codec} batch is {batch.Length} bytes of {uncompressedSize}");
        Assert.Equal((9L, (short)1, 40, 300, 299), (header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount, header.LastOffsetDelta));
        var records = RecordBatchReader.ReadRecords(batch).ToList();
        Assert.Equal(300, records.Count);
        for (var i = 0; i < 299; i++)
        {
            Assert.Equal((long)i, records[i].Offset);
            Assert.Equal(1_000L + i, records[i].Timestamp);
            Assert.Equal($"key-{i}", Encoding.UTF8.GetString(records[i].Key!.Value.Span));
            Assert.Equal($"value-{i}-".PadRight(500, (char)('a' + (i % 26))), Encoding.UTF8.GetString(records[i].Value!.Value.Span));
            Assert.Equal(i % 7 == 0 ? ["h", "null"] : [], records[i].Headers.Select(h => h.Key));
        }

        Assert.Null(records[299].Value);
        Assert.Null(records[0].Headers[1].Value);
    }

    [Fact]
    public void Build_CodecChangedBetweenBatches_EachBatchUsesItsOwn()
    {
        var builder = new RecordBatchBuilder(RecordBatchCompression.Zstd);
        builder.Append(1, "k"u8, "first"u8);
        var zstd = builder.Build();
        builder.Reset();
        builder.Compression = RecordBatchCompression.None;
        builder.Append(2, "k"u8, "second"u8);
        var plain = builder.Build();

        Assert.Equal(RecordBatchCompression.Zstd, RecordBatchHeader.ReadValidated(zstd).Compression);
        Assert.Equal(RecordBatchCompression.None, RecordBatchHeader.ReadValidated(plain).Compression);
        Assert.Equal(["first", "second"], RecordBatchReader.ReadRecords(zstd.Concat(plain).ToArray()).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    [Fact]
    public void Compression_UnknownCodec_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new RecordBatchBuilder((RecordBatchCompression)5));

    [Fact]
    public void ReadRecords_RawSnappyAsLibrdkafkaWrites_Decodes()
    {
        var (plain, records) = Plain(200);

        var batch = WithPayload(plain, RecordBatchCompression.Snappy, Snappy.CompressToArray(records));

        Assert.Equal(Values(plain), Values(batch));
    }

    [Fact]
    public void ReadRecords_XerialSnappyAsJavaWrites_Decodes()
    {
        var (plain, records) = Plain(200);
        var payload = new MemoryStream();
        payload.Write([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1]);
        for (var start = 0; start < records.Length; start += 1000) // blocks of any size must do, not just 32 KiB
        {
            var block = Snappy.CompressToArray(records.AsSpan(start, Math.Min(1000, records.Length - start)));
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            payload.Write(length);
            payload.Write(block);
        }

        var batch = WithPayload(plain, RecordBatchCompression.Snappy, payload.ToArray());

        Assert.Equal(Values(plain), Values(batch));
    }

    [Fact]
    public void ReadRecords_Lz4FrameFromLZ4Stream_Decodes()
    {
        var (plain, records) = Plain(500);
        var payload = new MemoryStream();
        // Chained blocks and a content checksum: a frame unlike the one the builder writes.
        using (var lz4 = LZ4Stream.Encode(payload, new LZ4EncoderSettings { ChainBlocks = true, ContentChecksum = true, BlockSize = 64 * 1024 }, leaveOpen: true))
        {
            lz4.Write(records);
        }

        var batch = WithPayload(plain, RecordBatchCompression.Lz4, payload.ToArray());

        Assert.Equal(Values(plain), Values(batch));
    }

    [Fact]
    public void ReadRecords_ZstdStreamWithoutContentSize_Decodes()
    {
        var (plain, records) = Plain(500);
        var payload = new MemoryStream();
        using (var zstd = new CompressionStream(payload, level: 5, leaveOpen: true))
        {
            zstd.Write(records.AsSpan(0, 1000));
            zstd.Flush();
            zstd.Write(records.AsSpan(1000));
        }

        var descriptor = payload.ToArray()[4]; // after the 4-byte magic: content size flag (bits 7-6), single segment (bit 5)
        Assert.Equal(0, descriptor & 0xE0); // the frame does not say how big it is
        var batch = WithPayload(plain, RecordBatchCompression.Zstd, payload.ToArray());

        Assert.Equal(Values(plain), Values(batch));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadRecords_PayloadLargerThanTheLimit_RefusedAsCorrupt(RecordBatchCompression codec)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < 64; i++)
        {
            builder.Append(1, default, new byte[32 * 1024], keyIsNull: true); // 2 MiB of zeros: a few KiB compressed
        }

        var batch = builder.Build();

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch, maxDecompressedBytes: 1024 * 1024).ToList());
        Assert.Contains("limit", e.Message);
        Assert.True(batch.Length < 128 * 1024, $"the bomb is {batch.Length} bytes"); // snappy tops out near 20:1
        Assert.Equal(64, RecordBatchReader.ReadRecords(batch).Count()); // within the default limit it is a fine batch
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadRecords_TinyLimit_RefusesWithTheLimitInTheMessageAndExactFitPasses(RecordBatchCompression codec)
    {
        var builder = new RecordBatchBuilder(codec);
        builder.Append(1, "key"u8, new byte[100]);
        var batch = builder.Build();
        var plain = new RecordBatchBuilder();
        plain.Append(1, "key"u8, new byte[100]);
        var recordsLength = plain.SizeInBytes - 61;

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch, maxDecompressedBytes: recordsLength - 1).ToList());

        Assert.Contains($"{recordsLength - 1}-byte limit", e.Message);
        Assert.Single(RecordBatchReader.ReadRecords(batch, maxDecompressedBytes: recordsLength));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadRecords_ForgedHugeRecordCount_RefusedBeforeAllocating(RecordBatchCompression codec)
    {
        var builder = new RecordBatchBuilder(codec);
        builder.Append(1, "k"u8, "v"u8);
        var batch = builder.Build();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), int.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch).ToList());

        Assert.Contains("2147483647", e.Message);
    }

    [Fact]
    public void ReadRecords_UncompressedForgedRecordCount_RefusedBeforeAllocating()
    {
        var batch = RecordBatchCodecTests.BuildBatch("x");
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), 500_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch).ToList());

        Assert.Contains("cannot fit", e.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadRecords_GarbagePayload_ThrowsCorruptRecordNamingTheBatch(RecordBatchCompression codec)
    {
        var (plain, _) = Plain(20);
        var garbage = new byte[300];
        new Random(42).NextBytes(garbage);

        var batch = WithPayload(plain, codec, garbage);

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch).ToList());
        Assert.Contains("offset 0", e.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadRecords_TruncatedPayload_ThrowsCorruptRecord(RecordBatchCompression codec)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < 100; i++)
        {
            builder.Append(1, "k"u8, Encoding.UTF8.GetBytes($"value {i} {Guid.NewGuid()}"));
        }

        var batch = builder.Build();
        var payload = batch.AsSpan(61, (batch.Length - 61) / 2).ToArray();

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(WithPayload(batch, codec, payload)).ToList());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void ReadRecords_UndefinedCodec_ThrowsCorruptRecord(short codec)
    {
        var batch = RecordBatchCodecTests.BuildBatch("x");
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), codec);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch).ToList());
        Assert.Contains("does not exist", e.Message);
    }

    /// <summary>An uncompressed batch of <paramref name="count"/> records and its records section.</summary>
    private static (byte[] Batch, byte[] Records) Plain(int count)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(5_000 + i, Encoding.UTF8.GetBytes($"k{i % 10}"), Encoding.UTF8.GetBytes($"value number {i}"));
        }

        var batch = builder.Build();
        return (batch, batch.AsSpan(61).ToArray());
    }

    /// <summary><paramref name="batch"/>'s header with <paramref name="payload"/> as its records, the codec set and the CRC recomputed.</summary>
    private static byte[] WithPayload(byte[] batch, RecordBatchCompression codec, byte[] payload)
    {
        var result = batch.AsSpan(0, 61).ToArray().Concat(payload).ToArray();
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(8), result.Length - 12);
        BinaryPrimitives.WriteInt16BigEndian(result.AsSpan(21), (short)codec);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(17), Crc32C.Compute(result.AsSpan(21)));
        return result;
    }

    private static List<string> Values(byte[] batch)
        => RecordBatchReader.ReadRecords(batch).Select(r => $"{r.Offset}@{r.Timestamp}:{Encoding.UTF8.GetString(r.Key!.Value.Span)}={Encoding.UTF8.GetString(r.Value!.Value.Span)}").ToList();
}
