using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Validates one or more RecordBatch v2 batches, assigns their base offsets from
    /// <see cref="LogEndOffset"/> and appends them. All or nothing: a bad batch fails the whole call
    /// and leaves the log untouched.
    /// </summary>
    /// <remarks>
    /// Every batch is checked before anything is written: whole, magic 2, CRC-32C, at least one
    /// record, lastOffsetDelta = recordCount - 1, and no larger than max.message.bytes
    /// (RecordTooLarge). The caller's bytes are validated and written where they are, without a
    /// copy: each batch goes to the file as one gathered write of its new 8-byte baseOffset (the
    /// CRC does not cover it) followed by the caller's bytes after that field. So, as with
    /// <see cref="Stream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>, the caller must
    /// not change <paramref name="batches"/> until the returned task completes (bytes changed
    /// meanwhile would reach the file unvalidated); it is never modified nor kept. Validation
    /// happens before the append lock is taken. Cancellation is honoured until the write starts,
    /// never in the middle of it. If the append leaves <see cref="LogConfig.FlushMessages"/> or
    /// more records unflushed, it fsyncs before returning (outside the append lock, so concurrent
    /// appenders share the fsync); if that fsync fails the records are in the log but the call
    /// throws (Io). Allocation: nothing per record; per call, the async machinery only (the batch
    /// table is pooled, the write list is reused under the lock).
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no state-machine allocation per append
    public async ValueTask<LogAppendInfo> AppendAsync(ReadOnlyMemory<byte> batches, CancellationToken cancellationToken = default)
    {
        var config = Config;
        var infos = ArrayPool<BatchInfo>.Shared.Rent(4);
        try
        {
            var count = ValidateBatches(batches.Span, config.MaxMessageBytes, ref infos);
            return await AppendValidatedAsync(batches, new ArraySegment<BatchInfo>(infos, 0, count), config, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<BatchInfo>.Shared.Return(infos);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<LogAppendInfo> AppendValidatedAsync(ReadOnlyMemory<byte> data, ArraySegment<BatchInfo> infos, LogConfig config, CancellationToken cancellationToken)
    {
        LogAppendInfo appended;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            var nextOffset = _logEndOffset;
            var maxTimestamp = -1L;
            var records = 0;
            for (var i = 0; i < infos.Count; i++)
            {
                var info = infos[i];
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
                if (DiskFull.Is(e) && TryDiscardUnpublished())
                {
                    _outOfSpace = true;
                    _space?.AppendFailed($"{Topic}-{Partition}", e);
                    throw new StorageException(StorageErrorKind.NoSpace,
                        _space?.Message ?? $"No space left on device on {Path.GetDirectoryName(_directory)}; the append can be retried once space is freed.", e);
                }

                _failure = e;
                throw new StorageException(StorageErrorKind.Io, $"Appending to {Topic}-{Partition} failed; the log accepts no more appends until it is reopened.", e);
            }

            if (_outOfSpace)
            {
                _outOfSpace = false;
                _space?.AppendSucceeded($"{Topic}-{Partition}");
            }

            appended = new LogAppendInfo(infos[0].BaseOffset, infos[^1].LastOffset, maxTimestamp, records, data.Length);
        }
        finally
        {
            _writeLock.Release();
        }

        if (appended.LastOffset + 1 - RecoveryPoint >= config.FlushMessages)
        {
            await FlushUpToAsync(appended.LastOffset + 1, CancellationToken.None).ConfigureAwait(false);
        }

        return appended;
    }

    /// <summary>
    /// Checks every batch of <paramref name="data"/> and describes them in <paramref name="infos"/>
    /// (a pooled array, swapped for a larger pooled one when needed); returns how many there are.
    /// </summary>
    internal static int ValidateBatches(ReadOnlySpan<byte> data, int maxMessageBytes, ref BatchInfo[] infos)
    {
        if (data.IsEmpty)
        {
            throw new StorageException(StorageErrorKind.CorruptRecord, "The append holds no record batches.");
        }

        var count = 0;
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
                        $"Batch {count} is {size} bytes; max.message.bytes is {maxMessageBytes}.");
                }
            }

            if (RecordBatchHeader.Check(remaining, out var header, out var problem) != BatchStatus.Valid)
            {
                throw new StorageException(StorageErrorKind.CorruptRecord, $"Batch {count} at byte {position}: {problem}");
            }

            if (header.RecordCount == 0 || header.LastOffsetDelta != header.RecordCount - 1)
            {
                throw new StorageException(StorageErrorKind.CorruptRecord,
                    $"Batch {count} at byte {position} has recordCount {header.RecordCount} and lastOffsetDelta {header.LastOffsetDelta}; a produced batch has at least one record and offset deltas 0..count-1.");
            }

            if (count == infos.Length)
            {
                var larger = ArrayPool<BatchInfo>.Shared.Rent(count * 2);
                infos.AsSpan().CopyTo(larger);
                ArrayPool<BatchInfo>.Shared.Return(infos);
                infos = larger;
            }

            // LastOffset holds the delta until the writer knows the base offset.
            infos[count++] = new BatchInfo(position, header.SizeInBytes, 0, header.LastOffsetDelta, header.MaxTimestamp, header.RecordCount);
            position += header.SizeInBytes;
        }

        return count;
    }

    /// <summary>
    /// Writes the batches with their assigned base offsets, rolling segments as needed, publishing
    /// the log end after each segment's part. Each segment's part is one gathered write: per batch,
    /// its 8-byte baseOffset from <see cref="_offsetScratch"/>, then the caller's bytes after it.
    /// Runs under the append lock, which is what makes reusing the scratch buffers safe.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, ArraySegment<BatchInfo> infos, LogConfig config)
    {
        if (_offsetScratch.Length < infos.Count * sizeof(long))
        {
            _offsetScratch = new byte[Math.Max(infos.Count, 2 * _offsetScratch.Length / sizeof(long)) * sizeof(long)];
        }

        var first = 0;
        while (first < infos.Count)
        {
            var segment = Volatile.Read(ref _segments)[^1];
            if (ShouldRoll(segment, infos[first], config))
            {
                segment = Roll(infos[first].BaseOffset);
            }

            // Take as many following batches as still fit in this segment.
            var end = first + 1;
            long bytes = infos[first].Size;
            while (end < infos.Count && !ShouldRoll(segment, infos[end], config, pendingBytes: bytes))
            {
                bytes += infos[end].Size;
                end++;
            }

            _gather.Clear();
            for (var i = first; i < end; i++)
            {
                var info = infos[i];
                var offsetField = _offsetScratch.AsMemory(i * sizeof(long), sizeof(long));
                BinaryPrimitives.WriteInt64BigEndian(offsetField.Span, info.BaseOffset);
                _gather.Add(offsetField);
                _gather.Add(data.Slice(info.Position + sizeof(long), info.Size - sizeof(long)));
            }

            await segment.AppendAsync(_gather, bytes, infos.Slice(first, end - first), config.IndexIntervalBytes).ConfigureAwait(false);
            Volatile.Write(ref _logEndOffset, infos[end - 1].LastOffset + 1);
            first = end;
        }
    }

    /// <summary>
    /// After a write that failed for lack of space: cuts the bytes it may have left past the last
    /// segment's published size (a partial pwritev), so the next append starts at the last good
    /// position. Under the append lock. False if even that failed; the log is then unusable.
    /// </summary>
    private bool TryDiscardUnpublished()
    {
        try
        {
            Volatile.Read(ref _segments)[^1].TruncateToPublishedSize();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Test hook: called (under the append lock) after each step of a segment roll, with a label for the step.</summary>
    internal Action<string>? RollStepHook { get; set; }

    /// <summary>The baseOffset fields of the batches being written (8 bytes each); only touched under the append lock.</summary>
    private byte[] _offsetScratch = new byte[8 * sizeof(long)];

    /// <summary>The gathered write of one segment's part of an append; only touched under the append lock.</summary>
    private readonly List<ReadOnlyMemory<byte>> _gather = [];

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

    /// <summary>
    /// Closes the active segment and starts a new one at <paramref name="baseOffset"/> (the log
    /// end). As in Kafka, the closed segment is then fsynced in the background whatever the flush
    /// policy, so that after a crash recovery only has to read the active segment.
    /// </summary>
    private LogSegment Roll(long baseOffset)
    {
        var step = RollStepHook;
        var segments = Volatile.Read(ref _segments);
        segments[^1].OnBecomeInactive();
        step?.Invoke("closed");
        var segment = LogSegment.Create(_directory, baseOffset, NowMs, _limiter, step);
        Volatile.Write(ref _segments, [.. segments, segment]);
        Volatile.Write(ref _directoryDirty, 1);
        step?.Invoke("published");
        _ = FlushUpToAsync(baseOffset, CancellationToken.None).AsTask().ContinueWith(
            static task => _ = task.Exception, // a failure is kept in _failure; nothing else to do here
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return segment;
    }
}
