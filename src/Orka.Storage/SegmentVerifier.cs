using System.Buffers;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// What makes a stored batch valid, and how to find the next valid batch after a bad one. Used by
/// reads (header checks only), by <see cref="PartitionLog.VerifyAsync"/> (headers and CRC-32C of
/// every batch) and by <see cref="PartitionLog.SkipCorruptAsync"/>.
/// </summary>
/// <remarks>
/// <para>Reads check every batch header they walk or return: magic 2, a batchLength of at least 49
/// that ends inside the segment and before the next offset-index entry (entries only point at batch
/// starts), and offsets that increase from the previous batch and stay below the segment's next
/// offset. That costs a few comparisons per batch and is what keeps a bad length from making a
/// read allocate or seek wildly, or a client from parsing garbage as the next batch. Reads do not
/// check CRCs, as Kafka brokers do not on fetch: every Kafka client checks them (the Java client by
/// default, librdkafka with <c>check.crcs</c>) and doing it on the broker would add a CRC pass over
/// every byte served (about 1 ms per 10 MB per core). CRCs are checked where corruption is looked
/// for on purpose (verify), and once verify has found a batch with a bad CRC, reads refuse its
/// range as they refuse a bad header.</para>
/// <para>After a bad batch its length cannot be trusted, so the next valid batch is searched for
/// byte by byte: a candidate needs magic 2, a sane length and offsets in range (rare in random
/// bytes), and then a matching CRC. The search is bounded by the segment's size, and usually ends at
/// the next offset-index entry, within one index interval (4 KiB by default).</para>
/// </remarks>
internal static class SegmentVerifier
{
    /// <summary>Read size for the CRC pass and the byte-by-byte search.</summary>
    private const int ChunkBytes = 256 * 1024;

    /// <summary>
    /// Why the header of the batch at <paramref name="position"/> cannot be right, or null: magic,
    /// length (at least 49, ending at or before <paramref name="limit"/>), offsets (from
    /// <paramref name="minBaseOffset"/>, below <paramref name="maxOffsetExclusive"/>).
    /// </summary>
    public static string? CheckHeader(in RecordBatchHeader header, long position, long limit, long minBaseOffset, long maxOffsetExclusive)
    {
        if (header.Magic != RecordBatchLayout.Magic)
        {
            return $"magic byte is {header.Magic}, not 2";
        }

        if (header.BatchLength < MinBatchLength)
        {
            return $"batchLength {header.BatchLength} is below the {MinBatchLength}-byte minimum";
        }

        if ((long)header.BatchLength + LogOverhead > limit - position)
        {
            return $"batchLength {header.BatchLength} runs past position {limit} (the next indexed batch or the end of the segment)";
        }

        if (header.LastOffsetDelta < 0 || header.RecordCount < 0 || header.BaseOffset < minBaseOffset || header.LastOffset >= maxOffsetExclusive)
        {
            return $"offsets {header.BaseOffset}..{header.LastOffset} are outside [{minBaseOffset}, {maxOffsetExclusive})";
        }

        return null;
    }

    /// <summary>Whether the stored CRC-32C of the batch at <paramref name="position"/> matches its bytes (streamed, so any length is fine).</summary>
    public static bool CrcMatches(LogSegment segment, long position, in RecordBatchHeader header)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var crc = uint.MaxValue;
            var end = position + header.SizeInBytes;
            for (var at = position + AttributesOffset; at < end;)
            {
                var read = segment.ReadAt(buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - at)), at);
                if (read == 0)
                {
                    return false;
                }

                crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
                at += read;
            }

            return ~crc == header.Crc;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The first valid batch (header checks and CRC) that starts after <paramref name="after"/>
    /// and before <paramref name="size"/>, with offsets in [<paramref name="minBaseOffset"/>,
    /// <paramref name="maxOffsetExclusive"/>), or null if the rest of the segment has none.
    /// </summary>
    public static (long Position, RecordBatchHeader Header)? FindNextBatch(LogSegment segment, long after, long size, long minBaseOffset, long maxOffsetExclusive)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long chunkStart = 0;
            var chunkLength = 0;
            for (var position = after + 1; position + HeaderSize <= size; position++)
            {
                if (position + HeaderSize > chunkStart + chunkLength)
                {
                    chunkLength = segment.ReadAt(buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - position)), position);
                    chunkStart = position;
                    if (chunkLength < HeaderSize)
                    {
                        return null;
                    }
                }

                var bytes = buffer.AsSpan((int)(position - chunkStart), HeaderSize);
                if (bytes[MagicOffset] != RecordBatchLayout.Magic)
                {
                    continue;
                }

                var header = RecordBatchHeader.Read(bytes);
                if (CheckHeader(header, position, size, minBaseOffset, maxOffsetExclusive) is null && CrcMatches(segment, position, header))
                {
                    return (position, header);
                }
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Walks every batch of <paramref name="segment"/> up to its published size, checking headers
    /// and CRCs; after a bad batch it searches for the next valid one and goes on from there.
    /// Returns the bad ranges (empty when all is well) and how many valid batches it checked.
    /// </summary>
    public static (List<CorruptBatchRange> Ranges, long Batches) Verify(LogSegment segment, CancellationToken cancellationToken)
    {
        var ranges = new List<CorruptBatchRange>();
        var size = segment.Size;
        var maxOffset = segment.NextOffset;
        var expected = segment.BaseOffset;
        long position = 0, batches = 0;
        Span<byte> bytes = stackalloc byte[HeaderSize];
        while (position < size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? problem;
            RecordBatchHeader header = default;
            if (size - position < HeaderSize || segment.ReadAt(bytes, position) < HeaderSize)
            {
                problem = $"only {size - position} bytes are left, too few for a batch header (truncated)";
            }
            else
            {
                header = RecordBatchHeader.Read(bytes);
                problem = CheckHeader(header, position, size, expected, maxOffset);
                if (problem is null && !CrcMatches(segment, position, header))
                {
                    problem = $"CRC-32C mismatch (stored 0x{header.Crc:X8})";
                }
            }

            if (problem is null)
            {
                batches++;
                expected = header.LastOffset + 1;
                position += header.SizeInBytes;
                continue;
            }

            var next = FindNextBatch(segment, position, size, expected, maxOffset);
            ranges.Add(new CorruptBatchRange(segment.LogPath, position, next?.Position ?? size, expected, (next?.Header.BaseOffset ?? maxOffset) - 1, problem));
            if (next is null)
            {
                break;
            }

            position = next.Value.Position;
        }

        return (ranges, batches);
    }
}
