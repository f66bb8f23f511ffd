namespace Orka.Storage;

/// <summary>
/// The durable log of one partition: a directory of segments. One writer (appends are not
/// thread-safe with each other; they are serialized anyway, see below), many concurrent readers.
/// </summary>
/// <remarks>
/// <para>Files: see <c>FORMAT.md</c>. The last segment is the active one; appends go to it until it
/// would pass <see cref="LogConfig.SegmentBytes"/>, then a new one is rolled at the log end offset.</para>
/// <para>Visibility: an append writes the bytes, then publishes the segment size, then
/// <see cref="LogEndOffset"/>. A reader reads <see cref="LogEndOffset"/> first and never reads
/// past the size it then sees, so it never meets half a batch, and never waits for the writer.
/// Appends are additionally serialized by a lock (cheap when uncontended) so that a caller that
/// breaks the single-writer rule gets ordering, not corruption.</para>
/// <para>Durability: appending is not flushing. <see cref="FlushAsync"/> fsyncs and moves
/// <see cref="RecoveryPoint"/>; concurrent flushes share one fsync. The policy flushes too:
/// an append that leaves <see cref="LogConfig.FlushMessages"/> records unflushed flushes before it
/// returns, and the owning <see cref="LogManager"/> flushes logs whose last flush is older than
/// <see cref="LogConfig.FlushMs"/>; <see cref="WaitForFlushAsync"/> waits for either. If an
/// append's write or an fsync fails, the log refuses further appends (Io) until it is reopened and
/// recovered, because after a failed fsync the page cache can no longer be trusted to match the
/// disk. A full disk is the exception: the write failed before anything was published, so the
/// append cuts the active segment back to its published size and fails with
/// <see cref="StorageErrorKind.NoSpace"/> (retriable), and the next append that finds space
/// succeeds; the node's <see cref="StorageSpace"/> tracks which partitions are in that state.</para>
/// <para>Retention deletes whole closed segments from the front (never the active one) and moves
/// <see cref="LogStartOffset"/> to the first one left; <see cref="DeleteRecordsAsync"/> moves it
/// to any offset, persisted through the owner's checkpoint before it returns.</para>
/// <para>Compaction (<see cref="CompactAsync"/>, when cleanup.policy includes compact) rewrites
/// closed segments in the background, keeping the latest record per key at its offset, and swaps
/// them in under the append lock for a few renames only.</para>
/// <para>Thread-safety, per member: <see cref="AppendAsync"/>, <see cref="ApplyRetentionAsync"/>,
/// <see cref="DeleteRecordsAsync"/>, <see cref="DisposeAsync"/> and the swap at the end of <see cref="CompactAsync"/> take the append lock, so they
/// run one at a time (the grain is meant to be the only appender). <see cref="ReadAsync(long, int, CancellationToken)"/>,
/// <see cref="OffsetForTimestampAsync"/>, <see cref="FlushAsync"/>, <see cref="WaitForFlushAsync"/>,
/// <see cref="UpdateConfig"/> and the offset properties are safe from any thread at any time,
/// including during an append, and never wait for it (a flush waits only for the fsync).</para>
/// </remarks>
public sealed partial class PartitionLog : IAsyncDisposable
{
    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly Action<PartitionLog>? _onClosed;
    private readonly Func<PartitionLog, CancellationToken, ValueTask>? _persistLogStartOffsetAsync;
    private readonly OpenFileLimiter? _limiter;
    private readonly StorageSpace? _space;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _flushGate = new();
    private LogSegment[] _segments;
    private LogConfig _config;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _recoveryPoint;
    private int _directoryDirty;
    private Task? _flushTask;
    private long _lastFlushMs;
    private TaskCompletionSource _recoveryPointMoved = NewSignal();
    private readonly TaskCompletionSource _closed = NewSignal();
    private Exception? _failure;
    private volatile bool _outOfSpace; // the last append failed for lack of space
    private int _disposed;

    private PartitionLog(string directory, string topic, int partition, Guid topicId, LogConfig config, TimeProvider timeProvider,
        List<LogSegment> segments, long logStartOffset, LogRecoveryReport recovery, OpenFileLimiter? limiter, StorageSpace? space,
        Action<PartitionLog>? onClosed, Func<PartitionLog, CancellationToken, ValueTask>? persistLogStartOffsetAsync)
    {
        _directory = directory;
        Topic = topic;
        Partition = partition;
        TopicId = topicId;
        _config = config;
        _timeProvider = timeProvider;
        _segments = [.. segments];
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Clamp(logStartOffset, segments[0].BaseOffset, _logEndOffset);
        _recoveryPoint = _logEndOffset; // the loader fsynced everything it validated
        LastRecovery = recovery;
        _onClosed = onClosed;
        _persistLogStartOffsetAsync = persistLogStartOffsetAsync;
        _limiter = limiter;
        _space = space;
        _lastFlushMs = NowMs;
    }

    public string Topic { get; }
    public int Partition { get; }

    /// <summary>The topic incarnation this data belongs to (recorded in <c>partition.metadata</c>).</summary>
    public Guid TopicId { get; }

    /// <summary>The partition's directory.</summary>
    public string Directory => _directory;

    /// <summary>The settings in force; replaced by <see cref="UpdateConfig"/>.</summary>
    public LogConfig Config => Volatile.Read(ref _config);

    /// <summary>What recovery found and repaired when this log was opened.</summary>
    public LogRecoveryReport LastRecovery { get; }

    /// <summary>The first offset still in the log.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Every offset below this one is fsynced.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Bytes of all segments.</summary>
    public long SizeInBytes
    {
        get
        {
            long size = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                size += segment.Size;
            }

            return size;
        }
    }

    /// <summary>Whether <see cref="DisposeAsync"/> (or a delete) has started closing this log.</summary>
    public bool IsClosed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Completes when a close that has started is finished (files released).</summary>
    internal Task Closed => _closed.Task;

    /// <summary>Number of segment files, the active one included.</summary>
    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>Applies new settings; they take effect from the next append.</summary>
    public void UpdateConfig(LogConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Volatile.Write(ref _config, config);
    }

    /// <summary>
    /// Opens (and recovers) the log in <paramref name="directory"/>, which must exist. Segments
    /// wholly below <paramref name="recoverFrom"/> are trusted; the rest, and always the last
    /// segment, are validated batch by batch (see <see cref="LogLoader"/>).
    /// </summary>
    internal static async ValueTask<PartitionLog> OpenAsync(string directory, string topic, int partition, Guid topicId, LogConfig config,
        long recoverFrom, long logStartOffset, TimeProvider timeProvider, OpenFileLimiter? limiter, StorageSpace? space, Action<PartitionLog>? onClosed,
        Func<PartitionLog, CancellationToken, ValueTask>? persistLogStartOffsetAsync, CancellationToken cancellationToken)
    {
        // Recovery can read a whole segment: keep it off the caller's thread (a grain scheduler).
        var loaded = await Task.Run(
            () => LogLoader.Load(directory, recoverFrom, Math.Max(0, logStartOffset), config.IndexIntervalBytes, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), limiter),
            cancellationToken).ConfigureAwait(false);
        return new PartitionLog(directory, topic, partition, topicId, config, timeProvider, loaded.Segments, logStartOffset, loaded.Report,
            limiter, space, onClosed, persistLogStartOffsetAsync);
    }

    public ValueTask DisposeAsync() => CloseAsync(flush: true);

    /// <summary>
    /// Closes the log. With <paramref name="flush"/> false (the log is about to be deleted) nothing
    /// is fsynced and the owner is not told: it is the one deleting.
    /// </summary>
    internal async ValueTask CloseAsync(bool flush)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopCleaningAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (flush && _failure is null)
            {
                await FlushUpToAsync(LogEndOffset, CancellationToken.None).ConfigureAwait(false);
            }
            else if (Volatile.Read(ref _flushTask) is { } running)
            {
                await running.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var segment in Volatile.Read(ref _segments))
            {
                segment.Close();
            }

            _writeLock.Release();
            SignalRecoveryPointMoved(); // wakes flush waiters, who now find the log closed
            if (flush)
            {
                _onClosed?.Invoke(this); // a log closed for deletion is forgotten by its deleter
            }

            _closed.TrySetResult();
        }
    }

    private long NowMs => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SignalRecoveryPointMoved() => Interlocked.Exchange(ref _recoveryPointMoved, NewSignal()).TrySetResult();

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_failure is { } failure)
        {
            throw new StorageException(StorageErrorKind.Io, $"{Topic}-{Partition} failed earlier and accepts no more appends until it is reopened.", failure);
        }
    }

    /// <summary>Index of the last segment whose base offset is at or below <paramref name="offset"/> (0 if none).</summary>
    private static int FindSegment(LogSegment[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = 0;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
