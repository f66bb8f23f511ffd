using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Orka.Records.Tests;

public sealed class RecordBatchCodecTests
{
    [Fact]
    public void Build_ThreeRecords_HeaderFieldsMatchKafkaLayout()
    {
        var builder = new RecordBatchBuilder();
        builder.Append(1000, "k"u8, "v1"u8);
        builder.Append(900, "k"u8, "v2"u8);
        builder.Append(1500, "k"u8, "v3"u8);

        var batch = builder.Build(producerId: 42, producerEpoch: 3, baseSequence: 7);
        var header = RecordBatchHeader.ReadValidated(batch);

        Assert.Equal(batch.Length, builder.SizeInBytes);
        Assert.Equal(batch.Length - 12, header.BatchLength);
        Assert.Equal(2, header.Magic);
        Assert.Equal((2, 3), (header.LastOffsetDelta, header.RecordCount));
        Assert.Equal((1000L, 1500L), (header.BaseTimestamp, header.MaxTimestamp));
        Assert.Equal((42L, (short)3, 7), (header.ProducerId, header.ProducerEpoch, header.BaseSequence));
        Assert.Equal(RecordBatchCompression.None, header.Compression);
        Assert.Equal(2, batch[16]); // magic at byte 16, big-endian fields around it
        Assert.Equal(batch.Length - 12, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(8)));
    }

    // Intent: BuildInPlace (the producer's no-copy path) yields exactly the bytes Build does, for
    // plain and compressed batches, and a builder reused after Reset carries nothing over.
    [Theory]
    [InlineData(RecordBatchCompression.None)]
    [InlineData(RecordBatchCompression.Gzip)]
    [InlineData(RecordBatchCompression.Lz4)]
    public void BuildInPlace_SameBytesAsBuild_AndReusableAfterReset(RecordBatchCompression compression)
    {
        var builder = new RecordBatchBuilder(compression);
        var random = new Random(7);
        for (var round = 0; round < 3; round++)
        {
            var values = Enumerable.Range(0, 50 + (round * 400)).Select(i => { var v = new byte[random.Next(0, 300)]; random.NextBytes(v); return v; }).ToList();
            foreach (var (value, i) in values.Select((v, i) => (v, i)))
            {
                builder.Append(1000 + i, BitConverter.GetBytes(i), value);
            }

            var copy = builder.Build(producerId: 5, producerEpoch: 1, baseSequence: round * 1000);
            var inPlace = builder.BuildInPlace(producerId: 5, producerEpoch: 1, baseSequence: round * 1000).ToArray();
            Assert.Equal(copy, inPlace);
            RecordBatchHeader.ReadValidated(inPlace); // CRC and layout check
            Assert.Equal(values, RecordBatchReader.ReadRecords(inPlace).Select(r => r.Value!.Value.ToArray()));
            builder.Reset();
        }
    }

    [Fact]
    public void ReadRecords_NullKeyNullValueAndHeaders_RoundTrip()
    {
        var builder = new RecordBatchBuilder();
        var headers = new[] { new RecordHeader("trace", "abc"u8.ToArray()), new RecordHeader("empty", null), new RecordHeader("ü", Array.Empty<byte>()) };
        builder.Append(10, default, "value"u8, headers, keyIsNull: true);
        builder.Append(11, "key"u8, default, valueIsNull: true);
        builder.Append(12, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);

        var records = RecordBatchReader.ReadRecords(builder.Build()).ToList();

        Assert.Equal(3, records.Count);
        Assert.Null(records[0].Key);
        Assert.Equal("value", Encoding.UTF8.GetString(records[0].Value!.Value.Span));
        Assert.Equal(["trace", "empty", "ü"], records[0].Headers.Select(h => h.Key));
        Assert.Equal("abc"u8.ToArray(), records[0].Headers[0].Value!.Value.ToArray());
        Assert.Null(records[0].Headers[1].Value);
        Assert.Equal(0, records[0].Headers[2].Value!.Value.Length);
        Assert.Equal("key", Encoding.UTF8.GetString(records[1].Key!.Value.Span));
        Assert.Null(records[1].Value);
        Assert.Equal(0, records[2].Key!.Value.Length);
        Assert.Equal(0, records[2].Value!.Value.Length);
        Assert.Equal([0L, 1L, 2L], records.Select(r => r.Offset));
        Assert.Equal([10L, 11L, 12L], records.Select(r => r.Timestamp));
    }

    [Fact]
    public void ReadRecords_ManyRecordsAcrossBatches_ReturnsAllInOrderWithAssignedOffsets()
    {
        var builder = new RecordBatchBuilder();
        var buffer = new MemoryStream();
        for (var b = 0; b < 5; b++)
        {
            builder.Reset();
            for (var i = 0; i < 1000; i++)
            {
                builder.Append(1_700_000_000_000 + i, BitConverter.GetBytes(b * 1000 + i), new byte[i % 300]);
            }

            var batch = builder.Build();
            RecordBatchHeader.WriteBaseOffset(batch, b * 1000);
            buffer.Write(batch);
        }

        var records = RecordBatchReader.ReadRecords(buffer.ToArray()).ToList();

        Assert.Equal(5000, records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(i, records[i].Offset);
            Assert.Equal(i, BitConverter.ToInt32(records[i].Key!.Value.Span));
            Assert.Equal(i % 1000 % 300, records[i].Value!.Value.Length);
        }
    }

    [Fact]
    public void ReadRecords_TrailingPartialBatch_IsIgnored()
    {
        var batch = BuildBatch("a", "b");
        var twoAndAHalf = batch.Concat(batch).Concat(batch.Take(batch.Length / 2)).ToArray();

        Assert.Equal(4, RecordBatchReader.ReadRecords(twoAndAHalf).Count());
    }

    [Fact]
    public void ReadValidated_AnyFlippedByteCoveredByCrc_ThrowsCorruptRecord()
    {
        var batch = BuildBatch("hello", "world");

        for (var position = 21; position < batch.Length; position++)
        {
            var copy = (byte[])batch.Clone();
            copy[position] ^= 0x01;

            var e = Assert.Throws<CorruptRecordException>(() => RecordBatchHeader.ReadValidated(copy));
        }
    }

    [Fact]
    public void ReadValidated_BaseOffsetRewritten_StaysValid()
    {
        var batch = BuildBatch("x");
        RecordBatchHeader.WriteBaseOffset(batch, 123_456_789);

        Assert.Equal(123_456_789, RecordBatchHeader.ReadValidated(batch).BaseOffset);
        Assert.Equal(123_456_789, RecordBatchReader.ReadRecords(batch).Single().Offset);
    }

    [Fact]
    public void ReadValidated_WrongMagic_ThrowsCorruptRecord()
    {
        var batch = BuildBatch("x");
        batch[16] = 1;

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchHeader.ReadValidated(batch));
        Assert.Contains("magic", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ReadRecords_CorruptBatch_ThrowsCorruptRecord()
    {
        var batch = BuildBatch("x", "y");
        batch[^1] ^= 0xFF;

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchReader.ReadRecords(batch).ToList());
    }

    [Fact]
    public void ReadRecords_GzipBatch_Decodes()
    {
        var plain = BuildBatch("one", "two", "three");
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain.AsSpan(61));
        }

        var batch = plain.AsSpan(0, 61).ToArray().Concat(compressed.ToArray()).ToArray();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), batch.Length - 12);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), (short)RecordBatchCompression.Gzip);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));

        var values = RecordBatchReader.ReadRecords(batch).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span));

        Assert.Equal(["one", "two", "three"], values);
    }

    [Fact]
    public void Build_NoRecords_Throws()
        => Assert.Throws<InvalidOperationException>(() => new RecordBatchBuilder().Build());

    [Fact]
    public void Reset_AfterBuild_StartsAnEmptyBatch()
    {
        var builder = new RecordBatchBuilder();
        builder.Append(1, "a"u8, "b"u8);
        builder.Build();

        builder.Reset();
        builder.Append(5, "c"u8, "d"u8);

        Assert.Equal(1, builder.Count);
        var record = RecordBatchReader.ReadRecords(builder.Build()).Single();
        Assert.Equal((0L, 5L), (record.Offset, record.Timestamp));
    }

    internal static byte[] BuildBatch(params string[] values)
    {
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1_700_000_000_000, ReadOnlySpan<byte>.Empty, Encoding.UTF8.GetBytes(value), keyIsNull: true);
        }

        return builder.Build();
    }
}
