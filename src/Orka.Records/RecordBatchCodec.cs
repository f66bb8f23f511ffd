using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Orka.Records;

/// <summary>
/// Compresses and decompresses the records section of a RecordBatch v2 with Kafka's four codecs,
/// in the byte formats Kafka clients write and read (specified in <c>FORMAT.md</c>, "Compression").
/// </summary>
/// <remarks>
/// <para>Decompression never trusts the input: the output is bounded by a caller-supplied limit
/// and by the batch's own record count, and any decoder failure becomes a
/// <see cref="CorruptRecordException"/> naming the batch and codec. A decompression bomb
/// costs at most <c>limit + 1</c> bytes of buffer before it is refused.</para>
/// <para>Costs: one output array per batch (records are slices of it); snappy knows its size up
/// front, the stream codecs grow a buffer by doubling. Compression writes into a caller-owned
/// <see cref="ArrayBufferWriter{T}"/> so a reused producer-side builder stops allocating.</para>
/// </remarks>
internal static class RecordBatchCodec
{
    /// <summary>The smallest encoded record: length, attributes, timestamp delta, offset delta, key length, value length, header count.</summary>
    public const int MinRecordSize = 7;

    /// <summary>The xerial snappy-java stream header: magic, then version and compatible version (int32 BE, both 1).</summary>
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    private const int XerialHeaderSize = 16;

    /// <summary>Uncompressed bytes per xerial block; snappy-java's default, which Kafka's Java producer uses.</summary>
    private const int XerialBlockSize = 32 * 1024;

    /// <summary>
    /// The decompressed records section of a batch. <paramref name="payload"/> is everything after
    /// the 61-byte header; for an uncompressed batch it is returned as it is.
    /// </summary>
    public static ReadOnlyMemory<byte> Decompress(RecordBatchHeader header, ReadOnlyMemory<byte> payload, int maxDecompressedBytes)
    {
        if (header.Compression == RecordBatchCompression.None)
        {
            return payload;
        }

        if ((long)header.RecordCount * MinRecordSize > maxDecompressedBytes)
        {
            throw Corrupt(header, $"it claims {header.RecordCount} records, more than the {maxDecompressedBytes}-byte decompression limit can hold");
        }

        try
        {
            return header.Compression switch
            {
                RecordBatchCompression.Gzip => ReadBounded(header, new GZipStream(AsStream(payload), CompressionMode.Decompress), payload.Length, maxDecompressedBytes),
                RecordBatchCompression.Snappy => DecompressSnappy(header, payload.Span, maxDecompressedBytes),
                RecordBatchCompression.Lz4 => ReadBounded(header, LZ4Stream.Decode(AsStream(payload)), payload.Length, maxDecompressedBytes),
                RecordBatchCompression.Zstd => ReadBounded(header, new DecompressionStream(AsStream(payload), checkEndOfStream: true, leaveOpen: false), payload.Length, maxDecompressedBytes),
                _ => throw Corrupt(header, $"attributes 0x{header.Attributes:X4} name compression codec {(int)header.Compression}, which does not exist"),
            };
        }
        catch (Exception e) when (e is not (CorruptRecordException or OutOfMemoryException or OperationCanceledException))
        {
            // Every decoder throws its own exception types on malformed input; to a caller they all mean one thing.
            throw new CorruptRecordException($"Batch at offset {header.BaseOffset}: the {header.Compression} payload is invalid ({e.Message}).", e);
        }
    }

    /// <summary>Appends <paramref name="records"/> compressed with <paramref name="compression"/> to <paramref name="destination"/>.</summary>
    public static void Compress(RecordBatchCompression compression, ReadOnlySpan<byte> records, ArrayBufferWriter<byte> destination)
    {
        switch (compression)
        {
            case RecordBatchCompression.None:
                destination.Write(records);
                break;
            case RecordBatchCompression.Gzip:
                using (var gzip = new GZipStream(new BufferWriterStream(destination), CompressionLevel.Optimal, leaveOpen: false))
                {
                    gzip.Write(records);
                }

                break;
            case RecordBatchCompression.Snappy:
                CompressXerialSnappy(records, destination);
                break;
            case RecordBatchCompression.Lz4:
                // As Kafka's Java producer: 64 KiB independent blocks, no checksums beyond the header's, no content size.
                LZ4Frame.Encode(records, destination, new LZ4EncoderSettings
                {
                    BlockSize = 64 * 1024,
                    ChainBlocks = false,
                    ContentChecksum = false,
                    BlockChecksum = false,
                    CompressionLevel = LZ4Level.L00_FAST,
                });
                break;
            case RecordBatchCompression.Zstd:
                using (var compressor = new Compressor(Compressor.DefaultCompressionLevel))
                {
                    var span = destination.GetSpan(Compressor.GetCompressBound(records.Length));
                    destination.Advance(compressor.Wrap(records, span));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(compression), compression, "Kafka defines codecs 0-4 only.");
        }
    }

    private static ReadOnlyMemory<byte> DecompressSnappy(RecordBatchHeader header, ReadOnlySpan<byte> payload, int limit)
    {
        if (!payload.StartsWith(XerialMagic))
        {
            // Raw snappy (librdkafka): the uncompressed length is the stream's varint preamble.
            var length = Snappy.GetUncompressedLength(payload);
            CheckLimit(header, length, limit);
            var raw = new byte[length];
            var written = Snappy.Decompress(payload, raw);
            return written == length ? raw : throw Corrupt(header, $"snappy data decodes to {written} bytes, not the {length} it declares");
        }

        // xerial framing (snappy-java, Kafka's Java producer): header, then [int32 BE length, raw snappy block]*.
        if (payload.Length < XerialHeaderSize)
        {
            throw Corrupt(header, "the xerial snappy header is truncated");
        }

        long total = 0;
        var blocks = payload[XerialHeaderSize..];
        while (!blocks.IsEmpty)
        {
            var block = NextXerialBlock(header, ref blocks);
            total += Snappy.GetUncompressedLength(block);
            CheckLimit(header, total, limit);
        }

        var output = new byte[total];
        var at = 0;
        blocks = payload[XerialHeaderSize..];
        while (!blocks.IsEmpty)
        {
            at += Snappy.Decompress(NextXerialBlock(header, ref blocks), output.AsSpan(at));
        }

        return at == total ? output : throw Corrupt(header, $"snappy blocks decode to {at} bytes, not the {total} they declare");
    }

    private static ReadOnlySpan<byte> NextXerialBlock(RecordBatchHeader header, ref ReadOnlySpan<byte> blocks)
    {
        if (blocks.Length < 4)
        {
            throw Corrupt(header, "a xerial snappy block length is truncated");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(blocks);
        if (length < 0 || length > blocks.Length - 4)
        {
            throw Corrupt(header, $"a xerial snappy block declares {length} bytes but {blocks.Length - 4} remain");
        }

        var block = blocks.Slice(4, length);
        blocks = blocks[(4 + length)..];
        return block;
    }

    private static void CompressXerialSnappy(ReadOnlySpan<byte> records, ArrayBufferWriter<byte> destination)
    {
        var header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);  // version
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1); // compatible version
        destination.Advance(XerialHeaderSize);
        for (var start = 0; start < records.Length; start += XerialBlockSize)
        {
            var block = records.Slice(start, Math.Min(XerialBlockSize, records.Length - start));
            var span = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(block.Length));
            var written = Snappy.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            destination.Advance(4 + written);
        }
    }

    /// <summary>Reads <paramref name="decoder"/> to its end into one array, refusing more than <paramref name="limit"/> bytes.</summary>
    private static ReadOnlyMemory<byte> ReadBounded(RecordBatchHeader header, Stream decoder, int compressedLength, int limit)
    {
        using (decoder)
        {
            // One byte past the limit is enough to know it was exceeded.
            var cap = (int)Math.Min((long)limit + 1, Array.MaxLength);
            var buffer = new byte[Math.Clamp(4L * compressedLength, Math.Min(1024, cap), cap)];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= cap)
                    {
                        CheckLimit(header, length, limit);
                        break; // limit == Array.MaxLength: nothing larger can be held anyway
                    }

                    Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, cap));
                }

                var read = decoder.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return buffer.AsMemory(0, length);
        }
    }

    private static void CheckLimit(RecordBatchHeader header, long length, int limit)
    {
        if (length > limit)
        {
            throw Corrupt(header, $"the {header.Compression} payload decompresses to more than the {limit}-byte limit");
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> payload)
        => MemoryMarshal.TryGetArray(payload, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(payload.ToArray(), writable: false);

    private static CorruptRecordException Corrupt(RecordBatchHeader header, string problem)
        => new($"Batch at offset {header.BaseOffset}: {problem}.");

    /// <summary>A write-only stream over an <see cref="ArrayBufferWriter{T}"/>, for GZipStream's output.</summary>
    private sealed class BufferWriterStream(ArrayBufferWriter<byte> destination) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => destination.WrittenCount;

        public override long Position
        {
            get => destination.WrittenCount;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => destination.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => destination.Write(buffer);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
