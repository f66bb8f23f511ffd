using System.Buffers;
using System.Buffers.Binary;
using static Orka.Storage.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// One segment of a partition log: <c>{baseOffset:D20}.log</c>, a plain concatenation of whole
/// RecordBatch v2 batches (offsets increasing, the first at or above the base offset), and its
/// sparse <see cref="OffsetIndex"/>. Layout in <c>FORMAT.md</c>. Positions are int32 because index
/// entries are, so a segment never grows past 2 GiB.
/// </summary>
/// <remarks>
/// Thread-safety: one writer (<see cref="AppendAsync"/>, <see cref="Recover"/>) and any number of
/// readers. The writer writes the bytes first and only then publishes <see cref="Size"/>, so a
/// reader, which never reads past the <see cref="Size"/> it saw, never meets a half-written batch.
/// Readers and flushes hold a lease (<see cref="TryAcquire"/>) so that retention can delete a
/// segment while someone is still reading it: the files close when the last lease is released.
/// </remarks>
internal sealed class LogSegment
{
    /// <summary>Chunk size for walking headers on a read: one pread usually covers the whole index interval.</summary>
    private const int HeaderScanChunk = 16 * 1024;

    /// <summary>Chunk size for the sequential walk of recovery.</summary>
    private const int RecoveryChunk = 1024 * 1024;

    private readonly string _directory;
    private readonly FileStream _log;
    private readonly OffsetIndex _index;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private int _bytesSinceLastIndexEntry;
    private int _leases = 1; // the owning log's own reference
    private volatile bool _deleted;

    private LogSegment(string directory, long baseOffset, FileStream log, OffsetIndex index, long size)
    {
        _directory = directory;
        BaseOffset = baseOffset;
        _log = log;
        _index = index;
        _size = size;
        _nextOffset = baseOffset;
    }

    public long BaseOffset { get; }

    /// <summary>Bytes of whole batches, published after they are written.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>One past the last offset in this segment (its base offset while empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>The largest batch max timestamp in this segment, or -1 when empty.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    public string LogPath => Path.Combine(_directory, LogFileNames.SegmentFile(BaseOffset));

    public string IndexPath => Path.Combine(_directory, LogFileNames.IndexFile(BaseOffset));

    /// <summary>Creates an empty segment, replacing any files of that name (left beyond the log end by a crash).</summary>
    public static LogSegment Create(string directory, long baseOffset)
    {
        var log = OpenLog(Path.Combine(directory, LogFileNames.SegmentFile(baseOffset)), FileMode.Create);
        try
        {
            var index = OffsetIndex.Create(Path.Combine(directory, LogFileNames.IndexFile(baseOffset)));
            return new LogSegment(directory, baseOffset, log, index, 0);
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment without reading its batches. The caller either trusts it and calls
    /// <see cref="LoadTrusted"/>, or validates it with <see cref="Recover"/>.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, out bool indexIsUsable)
    {
        var log = OpenLog(Path.Combine(directory, LogFileNames.SegmentFile(baseOffset)), FileMode.Open);
        try
        {
            var size = log.Length;
            var indexPath = Path.Combine(directory, LogFileNames.IndexFile(baseOffset));
            var index = OffsetIndex.TryOpen(indexPath, size);
            indexIsUsable = index is not null;
            return new LogSegment(directory, baseOffset, log, index ?? OffsetIndex.Create(indexPath), size);
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finishes opening a segment below the recovery point, which was fsynced and is trusted: walks
    /// only the batch headers after the last index entry to learn where the segment ends.
    /// Returns false if what it finds contradicts the index (then the caller recovers the segment).
    /// </summary>
    public bool LoadTrusted()
    {
        var last = _index.Last;
        var scan = Walk(last?.Position ?? 0, validateCrc: false, expectedFirstOffset: BaseOffset + (last?.RelativeOffset ?? 0), indexIntervalBytes: null);
        if (scan.Problem is not null || scan.Batches == 0 && Size > 0)
        {
            return false;
        }

        if (last is { } entry && FirstBaseOffsetAt(entry.Position) != BaseOffset + entry.RelativeOffset)
        {
            return false;
        }

        _nextOffset = scan.NextOffset;
        _maxTimestamp = scan.MaxTimestamp; // of the tail only; exact once the time index exists
        _bytesSinceLastIndexEntry = (int)(Size - (last?.Position ?? 0));
        return true;
    }

    /// <summary>
    /// Validates every batch (length, magic, CRC, offsets increasing from
    /// <paramref name="expectedFirstOffset"/>), truncates the file after the last good one,
    /// and rebuilds the index from what remains. Returns what the walk found.
    /// </summary>
    public SegmentScan Recover(long expectedFirstOffset, int indexIntervalBytes)
    {
        var entries = new List<OffsetIndex.Entry>();
        var scan = Walk(0, validateCrc: true, Math.Max(expectedFirstOffset, BaseOffset), indexIntervalBytes, entries);
        if (scan.ValidBytes < scan.FileBytes)
        {
            _log.SetLength(scan.ValidBytes);
        }

        _index.Reset(entries);
        _size = scan.ValidBytes;
        _nextOffset = scan.NextOffset;
        _maxTimestamp = scan.MaxTimestamp;
        _bytesSinceLastIndexEntry = (int)(scan.ValidBytes - (entries.Count > 0 ? entries[^1].Position : 0));
        return scan;
    }

    /// <summary>
    /// Whether appending <paramref name="batchSize"/> bytes ending at <paramref name="lastOffset"/>
    /// would overflow the int32 positions or relative offsets of the index.
    /// </summary>
    public bool CannotHold(long batchSize, long lastOffset)
        => Size + batchSize > int.MaxValue || lastOffset - BaseOffset > int.MaxValue;

    /// <summary>
    /// Appends whole, validated batches whose base offsets are already assigned. Writes the bytes,
    /// adds index entries, then publishes the new size. Not cancellable once started: a half-done
    /// append is worse than a late one.
    /// </summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, ArraySegment<BatchInfo> batches, int indexIntervalBytes)
    {
        var start = Size;
        var firstPosition = batches[0].Position;
        await RandomAccess.WriteAsync(_log.SafeFileHandle, data, start, CancellationToken.None).ConfigureAwait(false);

        var maxTimestamp = _maxTimestamp;
        foreach (var batch in batches)
        {
            var position = start + batch.Position - firstPosition;
            if (_bytesSinceLastIndexEntry > indexIntervalBytes)
            {
                _index.Append(checked((int)(batch.BaseOffset - BaseOffset)), checked((int)position));
                _bytesSinceLastIndexEntry = 0;
            }

            _bytesSinceLastIndexEntry += batch.Size;
            maxTimestamp = Math.Max(maxTimestamp, batch.MaxTimestamp);
        }

        Volatile.Write(ref _maxTimestamp, maxTimestamp);
        Volatile.Write(ref _nextOffset, batches[^1].LastOffset + 1);
        Volatile.Write(ref _size, start + data.Length);
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> but at least that one batch, never past the published size.
    /// Null when no batch in this segment reaches <paramref name="offset"/>. The returned memory is
    /// a fresh array the caller owns.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(long offset, int maxBytes, CancellationToken cancellationToken)
    {
        var size = Size;
        var found = await FindBatchAsync(offset, size, cancellationToken).ConfigureAwait(false);
        if (found is not var (position, firstBatchSize))
        {
            return null;
        }

        var length = (int)Math.Min(size - position, Math.Max(maxBytes, firstBatchSize));
        var data = new byte[length];
        await ReadExactlyAsync(data, position, cancellationToken).ConfigureAwait(false);

        var end = firstBatchSize;
        while (end + LogOverhead <= length)
        {
            var next = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(end + BatchLengthOffset)) + LogOverhead;
            if (next < HeaderSize || next > length - end)
            {
                break;
            }

            end += next;
        }

        return data.AsMemory(0, end);
    }

    /// <summary>Fsyncs the log and index files.</summary>
    public void Flush()
    {
        _log.Flush(flushToDisk: true);
        _index.Flush();
    }

    /// <summary>Takes a lease that keeps the files open; false once the segment is closed or deleted.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0)
        {
            CloseFiles();
        }
    }

    /// <summary>
    /// Drops the owner's reference: the files close once no reader holds a lease. A live segment
    /// is trimmed to its published size first, so bytes of a failed write do not outlive it.
    /// </summary>
    public void Close()
    {
        if (!_deleted && _log.Length > Size)
        {
            _log.SetLength(Size);
        }

        Release();
    }

    /// <summary>
    /// Renames the files to <c>*.deleted</c> at once (so a crash leaves garbage that startup sweeps,
    /// never a gap in the offsets), then deletes them when the last lease is released.
    /// </summary>
    public void Delete()
    {
        _deleted = true;
        File.Move(LogPath, LogPath + LogFileNames.DeletedSuffix, overwrite: true);
        File.Move(IndexPath, IndexPath + LogFileNames.DeletedSuffix, overwrite: true);
        Release();
    }

    private void CloseFiles()
    {
        _log.Dispose();
        _index.Dispose();
        if (_deleted)
        {
            File.Delete(LogPath + LogFileNames.DeletedSuffix);
            File.Delete(IndexPath + LogFileNames.DeletedSuffix);
        }
    }

    private async ValueTask<(long Position, int Size)?> FindBatchAsync(long offset, long size, CancellationToken cancellationToken)
    {
        long position = _index.Lookup(offset - BaseOffset);
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderScanChunk);
        try
        {
            long chunkStart = 0;
            var chunkLength = 0;
            while (position < size)
            {
                if (position < chunkStart || position + HeaderSize > chunkStart + chunkLength)
                {
                    chunkLength = (int)Math.Min(buffer.Length, size - position);
                    await ReadExactlyAsync(buffer.AsMemory(0, chunkLength), position, cancellationToken).ConfigureAwait(false);
                    chunkStart = position;
                    if (chunkLength < HeaderSize)
                    {
                        throw new StorageException(StorageErrorKind.CorruptRecord, $"Segment {LogPath} ends inside a batch header at position {position}.");
                    }
                }

                var header = RecordBatchHeader.Read(buffer.AsSpan((int)(position - chunkStart)));
                if (header.BatchLength < MinBatchLength)
                {
                    throw new StorageException(StorageErrorKind.CorruptRecord, $"Segment {LogPath} has a bad batch length at position {position}.");
                }

                if (header.LastOffset >= offset)
                {
                    return (position, header.SizeInBytes);
                }

                position += header.SizeInBytes;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, long position, CancellationToken cancellationToken)
    {
        while (destination.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(_log.SafeFileHandle, destination, position, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new StorageException(StorageErrorKind.Io, $"Segment {LogPath} is shorter than its published size.");
            }

            destination = destination[read..];
            position += read;
        }
    }

    private long FirstBaseOffsetAt(long position)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        return RandomAccess.Read(_log.SafeFileHandle, bytes, position) == bytes.Length
            ? BinaryPrimitives.ReadInt64BigEndian(bytes)
            : -1;
    }

    /// <summary>
    /// Walks the batches from <paramref name="from"/> to the end of the file in large sequential
    /// reads. With <paramref name="validateCrc"/> the CRC of every batch is checked, streaming
    /// through the bytes so a huge (or hugely corrupt) length never needs a huge buffer.
    /// With <paramref name="indexEntries"/> it also computes the index entries Kafka's rule makes.
    /// </summary>
    private SegmentScan Walk(long from, bool validateCrc, long expectedFirstOffset, int? indexIntervalBytes, List<OffsetIndex.Entry>? indexEntries = null)
    {
        var fileBytes = _log.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(RecoveryChunk);
        long chunkStart = 0;
        var chunkLength = 0;
        var position = from;
        var batches = 0;
        var nextOffset = expectedFirstOffset;
        var maxTimestamp = -1L;
        var bytesSinceLastEntry = 0L;
        string? problem = null;

        // Makes [at, at + count) available in the buffer (count <= buffer size and inside the file).
        ReadOnlySpan<byte> Peek(long at, int count)
        {
            if (at < chunkStart || at + count > chunkStart + chunkLength)
            {
                chunkLength = (int)Math.Min(buffer.Length, fileBytes - at);
                var span = buffer.AsSpan(0, chunkLength);
                var filled = 0;
                while (filled < span.Length)
                {
                    var read = RandomAccess.Read(_log.SafeFileHandle, span[filled..], at + filled);
                    if (read == 0)
                    {
                        chunkLength = filled;
                        break;
                    }

                    filled += read;
                }

                chunkStart = at;
            }

            return buffer.AsSpan((int)(at - chunkStart), Math.Min(count, chunkLength - (int)(at - chunkStart)));
        }

        try
        {
            while (position < fileBytes)
            {
                if (fileBytes - position < HeaderSize)
                {
                    problem = $"{fileBytes - position} bytes at position {position} are too few for a batch header (torn write).";
                    break;
                }

                var header = RecordBatchHeader.Read(Peek(position, HeaderSize));
                var size = (long)header.BatchLength + LogOverhead;
                if (header.BatchLength < MinBatchLength || header.Magic != RecordBatchLayout.Magic)
                {
                    problem = $"Batch at position {position} has batchLength {header.BatchLength} and magic {header.Magic}.";
                    break;
                }

                if (size > fileBytes - position)
                {
                    problem = $"Batch at position {position} declares {size} bytes but the file has {fileBytes - position} left (torn write).";
                    break;
                }

                if (header.BaseOffset < nextOffset || header.LastOffsetDelta < 0 || header.LastOffset - BaseOffset > int.MaxValue || position + size > int.MaxValue)
                {
                    problem = $"Batch at position {position} has offsets {header.BaseOffset}..{header.LastOffset}; expected a base offset of at least {nextOffset} within int32 of {BaseOffset}.";
                    break;
                }

                if (validateCrc)
                {
                    var crc = uint.MaxValue;
                    for (var at = position + AttributesOffset; at < position + size;)
                    {
                        var piece = Peek(at, (int)Math.Min(buffer.Length, position + size - at));
                        crc = Crc32C.Append(crc, piece);
                        at += piece.Length;
                    }

                    if (~crc != header.Crc)
                    {
                        problem = $"Batch at position {position} (offset {header.BaseOffset}) fails its CRC-32C check.";
                        break;
                    }
                }

                if (indexEntries is not null && bytesSinceLastEntry > indexIntervalBytes)
                {
                    indexEntries.Add(new OffsetIndex.Entry((int)(header.BaseOffset - BaseOffset), (int)position));
                    bytesSinceLastEntry = 0;
                }

                bytesSinceLastEntry += size;
                batches++;
                nextOffset = header.LastOffset + 1;
                maxTimestamp = Math.Max(maxTimestamp, header.MaxTimestamp);
                position += size;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new SegmentScan(position, fileBytes, batches, batches == 0 && from == 0 ? BaseOffset : nextOffset, maxTimestamp, problem);
    }

    private static FileStream OpenLog(string path, FileMode mode)
        => new(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
}
