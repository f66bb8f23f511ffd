using System.Buffers.Binary;
using static Orka.Storage.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// The durable log of one partition: a directory of segments. One writer (appends are not
/// thread-safe with each other), many concurrent readers.
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
/// <see cref="RecoveryPoint"/>; concurrent flushes share one fsync. If an append's write or an
/// fsync fails, the log refuses further appends (Io) until it is reopened and recovered, because
/// after a failed fsync the page cache can no longer be trusted to match the disk.</para>
/// </remarks>
public sealed class PartitionLog : IAsyncDisposable
{
    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly Action<PartitionLog>? _onClosed;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _flushGate = new();
    private LogSegment[] _segments;
    private LogConfig _config;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _recoveryPoint;
    private int _directoryDirty;
    private Task? _flushTask;
    private Exception? _failure;
    private int _disposed;

    private PartitionLog(string directory, string topic, int partition, Guid topicId, LogConfig config, TimeProvider timeProvider,
        List<LogSegment> segments, long logStartOffset, LogRecoveryReport recovery, Action<PartitionLog>? onClosed)
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
        long recoverFrom, long logStartOffset, TimeProvider timeProvider, Action<PartitionLog>? onClosed, CancellationToken cancellationToken)
    {
        // Recovery can read a whole segment: keep it off the caller's thread (a grain scheduler).
        var loaded = await Task.Run(
            () => LogLoader.Load(directory, recoverFrom, Math.Max(0, logStartOffset), config.IndexIntervalBytes, timeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
            cancellationToken).ConfigureAwait(false);
        return new PartitionLog(directory, topic, partition, topicId, config, timeProvider, loaded.Segments, logStartOffset, loaded.Report, onClosed);
    }

    /// <summary>
    /// Validates one or more RecordBatch v2 batches, assigns their base offsets from
    /// <see cref="LogEndOffset"/> and appends them. All or nothing: a bad batch fails the whole call
    /// and leaves the log untouched.
    /// </summary>
    /// <remarks>
    /// Every batch is checked before anything is written: whole, magic 2, CRC-32C, at least one
    /// record, lastOffsetDelta = recordCount - 1, and no larger than max.message.bytes
    /// (RecordTooLarge). The caller's buffer is not modified: the batches are copied once and
    /// the copy's baseOffset fields rewritten (the CRC does not cover them). Cancellation is
    /// honoured until the write starts, never in the middle of it.
    /// </remarks>
    public async ValueTask<LogAppendInfo> AppendAsync(ReadOnlyMemory<byte> batches, CancellationToken cancellationToken = default)
    {
        var config = Config;
        var infos = ValidateBatches(batches.Span, config.MaxMessageBytes);

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            var data = batches.ToArray();
            var nextOffset = _logEndOffset;
            var maxTimestamp = -1L;
            var records = 0;
            for (var i = 0; i < infos.Length; i++)
            {
                var info = infos[i];
                BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(info.Position + BaseOffsetOffset), nextOffset);
                infos[i] = info with { BaseOffset = nextOffset, LastOffset = nextOffset + info.LastOffset };
                nextOffset = infos[i].LastOffset + 1;
                maxTimestamp = Math.Max(maxTimestamp, info.MaxTimestamp);
                records += info.RecordCount;
            }

            try
            {
                await WriteAsync(data, infos, config).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _failure = e;
                throw new StorageException(StorageErrorKind.Io, $"Appending to {Topic}-{Partition} failed; the log accepts no more appends until it is reopened.", e);
            }

            return new LogAppendInfo(infos[0].BaseOffset, infos[^1].LastOffset, maxTimestamp, records, data.Length);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> but always at least one batch. An offset equal to
    /// <see cref="LogEndOffset"/> returns no bytes; outside [start, end] throws OffsetOutOfRange.
    /// </summary>
    /// <remarks>Batches come from one segment per call, as in Kafka; the next read continues in the next one.</remarks>
    public async ValueTask<FetchDataInfo> ReadAsync(long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var logEndOffset = LogEndOffset;
            var logStartOffset = LogStartOffset;
            if (offset == logEndOffset)
            {
                return new FetchDataInfo(ReadOnlyMemory<byte>.Empty, logStartOffset, logEndOffset);
            }

            if (offset < logStartOffset || offset > logEndOffset)
            {
                throw new StorageException(StorageErrorKind.OffsetOutOfRange,
                    $"Offset {offset} is outside [{logStartOffset}, {logEndOffset}] of {Topic}-{Partition}.");
            }

            var segments = Volatile.Read(ref _segments);
            var raced = false;
            for (var i = FindSegment(segments, offset); i < segments.Length && !raced; i++)
            {
                var segment = segments[i];
                if (!segment.TryAcquire())
                {
                    raced = true; // deleted or closed under us: look again with fresh offsets
                    continue;
                }

                try
                {
                    if (await segment.ReadAsync(offset, maxBytes, cancellationToken).ConfigureAwait(false) is { } data)
                    {
                        return new FetchDataInfo(data, logStartOffset, logEndOffset);
                    }
                }
                finally
                {
                    segment.Release();
                }
            }

            if (!raced)
            {
                // Only reachable if offsets have a gap at the end, which appends never make.
                return new FetchDataInfo(ReadOnlyMemory<byte>.Empty, logStartOffset, logEndOffset);
            }
        }
    }

    /// <summary>
    /// The offset of the first record at or after <see cref="LogStartOffset"/> whose timestamp is
    /// at least <paramref name="timestamp"/>, or null when every record is older (Kafka's
    /// ListOffsets by time). Uses the segments' largest timestamps and time indexes, so it reads
    /// about one index interval of headers and decodes one batch.
    /// </summary>
    public async ValueTask<long?> OffsetForTimestampAsync(long timestamp, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var logStartOffset = LogStartOffset;
            var segments = Volatile.Read(ref _segments);
            var raced = false;
            foreach (var segment in segments)
            {
                if (segment.NextOffset <= logStartOffset || segment.MaxTimestamp < timestamp)
                {
                    continue;
                }

                if (!segment.TryAcquire())
                {
                    raced = true;
                    break;
                }

                try
                {
                    if (await segment.FindOffsetByTimestampAsync(timestamp, logStartOffset, cancellationToken).ConfigureAwait(false) is { } offset)
                    {
                        return offset;
                    }
                }
                finally
                {
                    segment.Release();
                }
            }

            if (!raced)
            {
                return null;
            }
        }
    }

    /// <summary>Fsyncs everything appended so far; concurrent callers share one fsync.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await FlushUpToAsync(LogEndOffset, cancellationToken).ConfigureAwait(false);
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
            if (flush)
            {
                _onClosed?.Invoke(this); // a log closed for deletion is forgotten by its deleter
            }
        }
    }

    /// <summary>
    /// Waits until every offset below <paramref name="offset"/> is fsynced, starting an fsync if
    /// none is running. Callers that arrive while one runs wait for it and then, if it did not cover
    /// them, share the next: that is group commit, one fsync for everyone who arrived meanwhile.
    /// </summary>
    internal async ValueTask FlushUpToAsync(long offset, CancellationToken cancellationToken)
    {
        while (RecoveryPoint < offset)
        {
            Task flush;
            lock (_flushGate)
            {
                if (_flushTask is not { IsCompleted: false })
                {
                    _flushTask = Task.Run(FlushOnce, CancellationToken.None);
                }

                flush = _flushTask;
            }

            await flush.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static BatchInfo[] ValidateBatches(ReadOnlySpan<byte> data, int maxMessageBytes)
    {
        if (data.IsEmpty)
        {
            throw new StorageException(StorageErrorKind.CorruptRecord, "The append holds no record batches.");
        }

        var infos = new List<BatchInfo>();
        var position = 0;
        while (position < data.Length)
        {
            var remaining = data[position..];
            if (remaining.Length >= LogOverhead)
            {
                var size = (long)BinaryPrimitives.ReadInt32BigEndian(remaining[BatchLengthOffset..]) + LogOverhead;
                if (size > maxMessageBytes)
                {
                    throw new StorageException(StorageErrorKind.RecordTooLarge,
                        $"Batch {infos.Count} is {size} bytes; max.message.bytes is {maxMessageBytes}.");
                }
            }

            if (RecordBatchHeader.Check(remaining, out var header, out var problem) != BatchStatus.Valid)
            {
                throw new StorageException(StorageErrorKind.CorruptRecord, $"Batch {infos.Count} at byte {position}: {problem}");
            }

            if (header.RecordCount == 0 || header.LastOffsetDelta != header.RecordCount - 1)
            {
                throw new StorageException(StorageErrorKind.CorruptRecord,
                    $"Batch {infos.Count} at byte {position} has recordCount {header.RecordCount} and lastOffsetDelta {header.LastOffsetDelta}; a produced batch has at least one record and offset deltas 0..count-1.");
            }

            // LastOffset holds the delta until the writer knows the base offset.
            infos.Add(new BatchInfo(position, header.SizeInBytes, 0, header.LastOffsetDelta, header.MaxTimestamp, header.RecordCount));
            position += header.SizeInBytes;
        }

        return [.. infos];
    }

    /// <summary>Writes the offset-stamped batches, rolling segments as needed, publishing the log end after each segment's part.</summary>
    private async ValueTask WriteAsync(byte[] data, BatchInfo[] infos, LogConfig config)
    {
        var first = 0;
        while (first < infos.Length)
        {
            var segment = Volatile.Read(ref _segments)[^1];
            if (ShouldRoll(segment, infos[first], config))
            {
                segment = Roll(infos[first].BaseOffset);
            }

            // Take as many following batches as still fit in this segment.
            var end = first + 1;
            long bytes = infos[first].Size;
            while (end < infos.Length && !ShouldRoll(segment, infos[end], config, pendingBytes: bytes))
            {
                bytes += infos[end].Size;
                end++;
            }

            var slice = data.AsMemory(infos[first].Position, (int)bytes);
            await segment.AppendAsync(slice, new ArraySegment<BatchInfo>(infos, first, end - first), config.IndexIntervalBytes).ConfigureAwait(false);
            Volatile.Write(ref _logEndOffset, infos[end - 1].LastOffset + 1);
            first = end;
        }
    }

    private bool ShouldRoll(LogSegment segment, BatchInfo batch, LogConfig config, long pendingBytes = 0)
    {
        var size = segment.Size + pendingBytes;
        if (size == 0)
        {
            return false; // an empty segment takes any batch, however large
        }

        return size + batch.Size > config.SegmentBytes
            || segment.CannotHold(pendingBytes + batch.Size, batch.LastOffset)
            || pendingBytes == 0 && segment.IsOlderThan(config.SegmentMs, batch.MaxTimestamp, NowMs);
    }

    private LogSegment Roll(long baseOffset)
    {
        var segments = Volatile.Read(ref _segments);
        segments[^1].OnBecomeInactive();
        var segment = LogSegment.Create(_directory, baseOffset, NowMs);
        Volatile.Write(ref _segments, [.. segments, segment]);
        Volatile.Write(ref _directoryDirty, 1);
        return segment;
    }

    private void FlushOnce()
    {
        if (_failure is { } failure)
        {
            throw new StorageException(StorageErrorKind.Io, $"{Topic}-{Partition} failed earlier and cannot be flushed.", failure);
        }

        // Read the log end before the segment list: every segment holding offsets below it is then in the list.
        var target = LogEndOffset;
        var segments = Volatile.Read(ref _segments);
        var recoveryPoint = RecoveryPoint;
        var directoryDirty = Interlocked.Exchange(ref _directoryDirty, 0) == 1;
        try
        {
            for (var i = 0; i < segments.Length; i++)
            {
                var segment = segments[i];
                if ((segment.NextOffset > recoveryPoint || i == segments.Length - 1) && segment.TryAcquire())
                {
                    try
                    {
                        segment.Flush();
                    }
                    finally
                    {
                        segment.Release();
                    }
                }
            }

            if (directoryDirty)
            {
                DurableFile.SyncDirectory(_directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failure ??= e;
            throw new StorageException(StorageErrorKind.Io, $"fsync of {Topic}-{Partition} failed; the log accepts no more appends until it is reopened.", e);
        }

        long current;
        while ((current = RecoveryPoint) < target && Interlocked.CompareExchange(ref _recoveryPoint, target, current) != current)
        {
        }
    }

    private long NowMs => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

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
