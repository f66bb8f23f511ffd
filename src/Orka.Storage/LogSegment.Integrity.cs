namespace Orka.Storage;

/// <summary>
/// Corruption found in this segment by reads or by verify: kept so a read that reaches a known bad
/// range refuses it at once (without searching again) and so the node reports each range once.
/// </summary>
internal sealed partial class LogSegment
{
    private readonly Lock _corruptionGate = new();
    private CorruptBatchRange[] _corruptions = [];
    private readonly HashSet<long> _reportedCorruptions = [];

    /// <summary>The bad ranges found so far (empty for almost every segment).</summary>
    public IReadOnlyList<CorruptBatchRange> KnownCorruption => Volatile.Read(ref _corruptions);

    /// <summary>True the first time it is called for the range at <paramref name="position"/>: the caller then reports it.</summary>
    public bool ClaimReport(long position)
    {
        lock (_corruptionGate)
        {
            return _reportedCorruptions.Add(position);
        }
    }

    /// <summary>Remembers <paramref name="range"/>, replacing one found before at the same position.</summary>
    public void RecordCorruption(CorruptBatchRange range)
    {
        lock (_corruptionGate)
        {
            Volatile.Write(ref _corruptions, [.. _corruptions.Where(r => r.Position != range.Position), range]);
        }
    }

    /// <summary>Walks every batch with header and CRC checks (see <see cref="SegmentVerifier"/>) and remembers what is bad.</summary>
    public (List<CorruptBatchRange> Ranges, long Batches) Verify(CancellationToken cancellationToken)
    {
        var result = SegmentVerifier.Verify(this, cancellationToken);
        foreach (var range in result.Ranges)
        {
            RecordCorruption(range);
        }

        return result;
    }

    /// <summary>Reads up to <paramref name="destination"/>'s length from <paramref name="position"/>; fewer only at the end of the file.</summary>
    public int ReadAt(Span<byte> destination, long position)
    {
        var handle = AcquireHandle();
        try
        {
            var filled = 0;
            while (filled < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination[filled..], position + filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            return filled;
        }
        finally
        {
            ReleaseHandle();
        }
    }

    private CorruptBatchRange? KnownCorruptionAt(long position)
    {
        foreach (var range in Volatile.Read(ref _corruptions))
        {
            if (range.Position == position)
            {
                return range;
            }
        }

        return null;
    }

    /// <summary>Whether a read must stop before the batch at <paramref name="position"/> (known bad); costs nothing while none is known.</summary>
    private bool IsKnownCorrupt(long position) => Volatile.Read(ref _corruptions).Length != 0 && KnownCorruptionAt(position) is not null;

    /// <summary>
    /// The range of the bad batch a read met at <paramref name="position"/>, the previous batch
    /// having ended at offset <paramref name="expectedOffset"/>: from there to the next valid batch.
    /// </summary>
    private CorruptBatchRange DescribeCorruption(long position, long size, long expectedOffset, string problem)
    {
        if (KnownCorruptionAt(position) is { } known)
        {
            return known;
        }

        var maxOffset = NextOffset;
        var next = SegmentVerifier.FindNextBatch(this, position, size, expectedOffset, maxOffset);
        var range = new CorruptBatchRange(LogPath, position, next?.Position ?? size, expectedOffset, (next?.Header.BaseOffset ?? maxOffset) - 1, problem);
        RecordCorruption(range);
        return range;
    }

    /// <summary>The limit a batch starting at <paramref name="position"/> must end within: the next indexed batch, else the end.</summary>
    private long BatchLimit(long position, long size) => Math.Min(size, _index.NextPositionAfter(position) ?? size);
}
