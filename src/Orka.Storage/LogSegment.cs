using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Orka.Storage;

/// <summary>
/// One segment of a partition log: <c>{baseOffset:D20}.log</c>, a plain concatenation of whole
/// RecordBatch v2 batches (offsets increasing, the first at or above the base offset), and its
/// sparse <see cref="OffsetIndex"/> and <see cref="TimeIndex"/>. Layout in <c>FORMAT.md</c>.
/// Positions are int32 because index entries are, so a segment never grows past 2 GiB.
/// This file holds its state, appends and file handles; reads and recovery are in the
/// <c>LogSegment.Read.cs</c> and <c>LogSegment.Recovery.cs</c> parts.
/// </summary>
/// <remarks>
/// Thread-safety: one writer (<see cref="AppendAsync"/>, <see cref="Recover"/>) and any number of
/// readers. The writer writes the bytes first and only then publishes <see cref="Size"/>, so a
/// reader, which never reads past the <see cref="Size"/> it saw, never meets a half-written batch.
/// Readers and flushes hold a lease (<see cref="TryAcquire"/>) so that retention can delete a
/// segment while someone is still reading it: the files close when the last lease is released.
/// <para>File handles: the index files are opened only to be loaded, written or fsynced (lookups
/// use the in-memory entries). The <c>.log</c> handle, the active segment's included, is counted by
/// the node's <see cref="OpenFileLimiter"/>, which may close it while no append, read or flush is
/// using it; the next use reopens it. So a node's descriptors are bounded by the limiter's
/// capacity, however many partitions it holds.</para>
/// </remarks>
internal sealed partial class LogSegment
{
    /// <summary>Chunk size for walking headers on a read: one pread usually covers the whole index interval.</summary>
    private const int HeaderScanChunk = 16 * 1024;

    /// <summary>Chunk size for the sequential walk of recovery.</summary>
    private const int RecoveryChunk = 1024 * 1024;

    private readonly string _directory;
    private readonly OpenFileLimiter? _limiter;
    private readonly Lock _handleGate = new();
    private SafeFileHandle? _logHandle;
    private int _handleUsers;
    private bool _active = true;
    private bool _closed;
    private int _referenced;
    private readonly OffsetIndex _index;
    private readonly TimeIndex _timeIndex;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp = -1;
    private readonly long _openedAtMs;
    private long _firstBatchTimestamp = -1;
    private int _bytesSinceLastIndexEntry;
    private int _leases = 1; // the owning log's own reference
    private volatile bool _deleted;

    private LogSegment(string directory, long baseOffset, SafeFileHandle log, OffsetIndex index, TimeIndex timeIndex, long size, long openedAtMs, OpenFileLimiter? limiter)
    {
        _directory = directory;
        BaseOffset = baseOffset;
        _logHandle = log;
        _limiter = limiter;
        _index = index;
        _timeIndex = timeIndex;
        _size = size;
        _nextOffset = baseOffset;
        _openedAtMs = openedAtMs;
    }

    public long BaseOffset { get; }

    /// <summary>Bytes of whole batches, published after they are written.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>One past the last offset in this segment (its base offset while empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>The largest batch max timestamp in this segment, or -1 when empty (or without timestamps).</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>
    /// Whether segment.ms says to roll before appending a batch whose max timestamp is
    /// <paramref name="incomingTimestamp"/>. As in Kafka, the age is measured in record time (the
    /// incoming batch against this segment's first batch), so it survives restarts and replaying
    /// old data does not roll on every append; only a segment without timestamps falls back to
    /// the wall clock since it was created or opened.
    /// </summary>
    public bool IsOlderThan(long segmentMs, long incomingTimestamp, long nowMs)
    {
        if (Size == 0)
        {
            return false;
        }

        var first = Volatile.Read(ref _firstBatchTimestamp);
        return first >= 0 && incomingTimestamp >= 0
            ? incomingTimestamp - first > segmentMs
            : nowMs - _openedAtMs > segmentMs;
    }

    public string LogPath => Path.Combine(_directory, LogFileNames.SegmentFile(BaseOffset));

    public string IndexPath => Path.Combine(_directory, LogFileNames.IndexFile(BaseOffset));

    public string TimeIndexPath => Path.Combine(_directory, LogFileNames.TimeIndexFile(BaseOffset));

    /// <summary>Creates an empty segment, replacing any files of that name (left beyond the log end by a crash).</summary>
    /// <remarks>The files are created in the order .log, .index, .timeindex; <paramref name="step"/> (a test hook) is called after each.</remarks>
    public static LogSegment Create(string directory, long baseOffset, long nowMs, OpenFileLimiter? limiter, Action<string>? step = null)
    {
        var log = OpenLog(Path.Combine(directory, LogFileNames.SegmentFile(baseOffset)), FileMode.Create);
        OffsetIndex? index = null;
        try
        {
            step?.Invoke("log created");
            index = OffsetIndex.Create(Path.Combine(directory, LogFileNames.IndexFile(baseOffset)));
            step?.Invoke("index created");
            var timeIndex = TimeIndex.Create(Path.Combine(directory, LogFileNames.TimeIndexFile(baseOffset)));
            step?.Invoke("timeindex created");
            return Counted(new LogSegment(directory, baseOffset, log, index, timeIndex, 0, nowMs, limiter));
        }
        catch
        {
            index?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment without reading its batches. The caller either trusts it and calls
    /// <see cref="LoadTrusted"/>, or validates it with <see cref="Recover"/>.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, long nowMs, OpenFileLimiter? limiter, out bool indexesAreUsable)
    {
        var log = OpenLog(Path.Combine(directory, LogFileNames.SegmentFile(baseOffset)), FileMode.Open);
        OffsetIndex? index = null;
        try
        {
            var size = RandomAccess.GetLength(log);
            var indexPath = Path.Combine(directory, LogFileNames.IndexFile(baseOffset));
            var timeIndexPath = Path.Combine(directory, LogFileNames.TimeIndexFile(baseOffset));
            index = OffsetIndex.TryOpen(indexPath, size);
            var timeIndex = TimeIndex.TryOpen(timeIndexPath, int.MaxValue);
            indexesAreUsable = index is not null && timeIndex is not null;
            index ??= OffsetIndex.Create(indexPath);
            timeIndex ??= TimeIndex.Create(timeIndexPath);
            return Counted(new LogSegment(directory, baseOffset, log, index, timeIndex, size, nowMs, limiter));
        }
        catch
        {
            index?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>Tells the limiter about the handle a new segment opened with (after construction: the limiter may close other segments' handles).</summary>
    private static LogSegment Counted(LogSegment segment)
    {
        segment._limiter?.Opened(segment);
        return segment;
    }

    /// <summary>
    /// Called when the segment stops being the active one (rolled, or found closed at open):
    /// records its largest timestamp as the time index's last entry, so a later open knows it
    /// without reading the segment.
    /// </summary>
    public void OnBecomeInactive()
    {
        if (_maxTimestamp >= 0)
        {
            _timeIndex.MaybeAppend(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
        }

        lock (_handleGate)
        {
            _active = false;
        }
    }

    /// <summary>Whether this is still the segment appends go to.</summary>
    public bool IsActive
    {
        get
        {
            lock (_handleGate)
            {
                return _active;
            }
        }
    }

    /// <summary>True while either index file holds bytes no fsync has covered yet.</summary>
    public bool HasUnsyncedIndexFiles => _index.HasUnsyncedWrites || _timeIndex.HasUnsyncedWrites;

    /// <summary>
    /// Closes the index files of a rolled segment once a flush has covered it: they are never
    /// written again, and lookups use memory. Called by the single flusher while it holds a lease.
    /// </summary>
    public void ReleaseIndexFiles()
    {
        _index.ReleaseFile();
        _timeIndex.ReleaseFile();
    }

    /// <summary>Whether the <c>.log</c> handle is open (read without the lock: a hint for the limiter).</summary>
    public bool HasOpenHandle => Volatile.Read(ref _logHandle) is not null;

    /// <summary>Clears the "read recently" bit; true if it was set (the limiter then spares the handle once more).</summary>
    public bool ClearReferenced() => Interlocked.Exchange(ref _referenced, 0) == 1;

    /// <summary>Closes the <c>.log</c> handle if no one is using it (the limiter's eviction; the next use reopens it).</summary>
    public bool TryCloseIdleHandle()
    {
        lock (_handleGate)
        {
            if (_handleUsers > 0 || _logHandle is null)
            {
                return false;
            }

            CloseLogHandle();
            return true;
        }
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
    /// <remarks><paramref name="parts"/> (<paramref name="length"/> bytes in all) go to the file in one gathered write (pwritev).</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // appends allocate no state machine
    public async ValueTask AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> parts, long length, ArraySegment<BatchInfo> batches, int indexIntervalBytes)
    {
        var start = Size;
        var firstPosition = batches[0].Position;
        var handle = AcquireHandle();
        try
        {
            await RandomAccess.WriteAsync(handle, parts, start, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ReleaseHandle();
        }

        if (start == 0)
        {
            Volatile.Write(ref _firstBatchTimestamp, batches[0].MaxTimestamp);
        }

        foreach (var batch in batches)
        {
            var position = start + batch.Position - firstPosition;
            if (batch.MaxTimestamp > _maxTimestamp)
            {
                Volatile.Write(ref _maxTimestamp, batch.MaxTimestamp);
                _offsetOfMaxTimestamp = batch.BaseOffset;
            }

            if (_bytesSinceLastIndexEntry > indexIntervalBytes)
            {
                var relativeOffset = checked((int)(batch.BaseOffset - BaseOffset));
                _index.Append(relativeOffset, checked((int)position));
                if (_maxTimestamp >= 0)
                {
                    _timeIndex.MaybeAppend(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
                }

                _bytesSinceLastIndexEntry = 0;
            }

            _bytesSinceLastIndexEntry += batch.Size;
        }

        Volatile.Write(ref _nextOffset, batches[^1].LastOffset + 1);
        Volatile.Write(ref _size, start + length);
    }

    /// <summary>
    /// Fsyncs the log file and writes the index entries the files lack; fsyncs the index files too
    /// when <paramref name="syncIndexes"/>. A segment deleted (renamed away by retention or a
    /// compaction swap) under a flush needs no fsync: its index files may already be gone, which is
    /// not an error.
    /// </summary>
    /// <remarks>
    /// The indexes are caches of the log (recovery re-indexes the last segment and every segment
    /// above the recovery point, and checks the others' indexes), so the flush of the active
    /// segment, which acks=all waits for, fsyncs the <c>.log</c> only: one fsync instead of three.
    /// A segment's indexes are fsynced once it is closed (see <c>PartitionLog.FlushOnce</c>).
    /// </remarks>
    public void Flush(bool syncIndexes = true)
    {
        try
        {
            var handle = AcquireHandle();
            try
            {
                RandomAccess.FlushToDisk(handle);
            }
            finally
            {
                ReleaseHandle();
            }

            if (syncIndexes)
            {
                _index.Flush();
                _timeIndex.Flush();
            }
            else
            {
                _index.WritePending();
                _timeIndex.WritePending();
            }
        }
        catch (FileNotFoundException) when (_deleted)
        {
        }
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
        if (!_deleted && IsActive)
        {
            TruncateToPublishedSize();
        }

        Release();
    }

    /// <summary>
    /// Cuts the <c>.log</c> file back to <see cref="Size"/>, dropping bytes of a write that failed
    /// before it was published (shrinking a file needs no free space). Called by the single writer.
    /// </summary>
    public void TruncateToPublishedSize()
    {
        var handle = AcquireHandle();
        try
        {
            if (RandomAccess.GetLength(handle) > Size)
            {
                RandomAccess.SetLength(handle, Size);
            }
        }
        finally
        {
            ReleaseHandle();
        }
    }

    /// <summary>
    /// Renames the files to <c>*.deleted</c> at once (so a crash leaves garbage that startup sweeps,
    /// never a gap in the offsets), then deletes them when the last lease is released.
    /// </summary>
    public void Delete()
    {
        RenameToDeleted();
        Release();
    }

    /// <summary>
    /// The first half of <see cref="Delete"/>: renames the files to <c>*.deleted</c> but keeps the
    /// owner's reference, so readers can still lease the segment until the owner has published a
    /// segment list without it and calls <see cref="Release"/> (what a compaction swap does, as the
    /// replacement takes over the names).
    /// </summary>
    public void RenameToDeleted()
    {
        lock (_handleGate)
        {
            // Under the handle lock: a reopen by an evicted handle picks the name that is current.
            _deleted = true;
            File.Move(LogPath, LogPath + LogFileNames.DeletedSuffix, overwrite: true);
        }

        _index.MoveTo(IndexPath + LogFileNames.DeletedSuffix);
        _timeIndex.MoveTo(TimeIndexPath + LogFileNames.DeletedSuffix);
    }

    private void CloseFiles()
    {
        lock (_handleGate)
        {
            _closed = true;
            if (_logHandle is not null)
            {
                CloseLogHandle();
            }
        }

        _index.Dispose();
        _timeIndex.Dispose();
        if (_deleted)
        {
            File.Delete(LogPath + LogFileNames.DeletedSuffix);
            File.Delete(IndexPath + LogFileNames.DeletedSuffix);
            File.Delete(TimeIndexPath + LogFileNames.DeletedSuffix);
        }
    }

    /// <summary>
    /// The <c>.log</c> handle, opened if the limiter closed it, counted as in use until
    /// <see cref="ReleaseHandle"/>. The limiter is told outside the lock (it takes other segments' locks).
    /// </summary>
    private SafeFileHandle AcquireHandle()
    {
        SafeFileHandle handle;
        bool reopened;
        lock (_handleGate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            reopened = _logHandle is null;
            // Once deleted, the name may belong to a compacted replacement: reopen the doomed file.
            _logHandle ??= OpenLog(_deleted ? LogPath + LogFileNames.DeletedSuffix : LogPath, FileMode.Open);
            _handleUsers++;
            handle = _logHandle;
        }

        Volatile.Write(ref _referenced, 1);
        if (reopened)
        {
            _limiter?.Opened(this);
        }

        return handle;
    }

    /// <summary>Closes the <c>.log</c> handle and takes it off the node's count; the caller holds <see cref="_handleGate"/>.</summary>
    private void CloseLogHandle()
    {
        _logHandle!.Dispose();
        _logHandle = null;
        _limiter?.Closed();
    }

    private void ReleaseHandle()
    {
        lock (_handleGate)
        {
            _handleUsers--;
        }
    }

    private static async ValueTask ReadExactlyAsync(SafeFileHandle handle, Memory<byte> destination, long position, CancellationToken cancellationToken)
    {
        while (destination.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(handle, destination, position, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new StorageException(StorageErrorKind.Io, "A segment file is shorter than its published size.");
            }

            destination = destination[read..];
            position += read;
        }
    }

    private static SafeFileHandle OpenLog(string path, FileMode mode)
        => File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
}
