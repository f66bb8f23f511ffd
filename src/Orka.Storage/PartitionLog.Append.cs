using System.Buffers;
using System.Buffers.Binary;
using static Orka.Storage.RecordBatchLayout;

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
    /// (RecordTooLarge). The caller's buffer is not modified and not kept: the batches are copied
    /// once into a pooled buffer, the copy is what is validated (so a caller changing its buffer
    /// meanwhile cannot slip bytes past the checks), and the copy's baseOffset fields are rewritten
    /// (the CRC does not cover them). Copying and validating happen before the append lock is taken. Cancellation is
    /// honoured until the write starts, never in the middle of it. If the append leaves
    /// <see cref="LogConfig.FlushMessages"/> or more records unflushed, it fsyncs before returning
    /// (outside the append lock, so concurrent appenders share the fsync); if that fsync fails the
    /// records are in the log but the call throws (Io).
    /// </remarks>
    public async ValueTask<LogAppendInfo> AppendAsync(ReadOnlyMemory<byte> batches, CancellationToken cancellationToken = default)
    {
        var config = Config;
        var length = batches.Length;
        var data = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            batches.Span.CopyTo(data);
            return await AppendCopyAsync(data, length, ValidateBatches(data.AsSpan(0, length), config.MaxMessageBytes), config, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    private async ValueTask<LogAppendInfo> AppendCopyAsync(byte[] data, int length, BatchInfo[] infos, LogConfig config, CancellationToken cancellationToken)
    {
        LogAppendInfo appended;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
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

            appended = new LogAppendInfo(infos[0].BaseOffset, infos[^1].LastOffset, maxTimestamp, records, length);
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

    /// <summary>
    /// Closes the active segment and starts a new one at <paramref name="baseOffset"/> (the log
    /// end). As in Kafka, the closed segment is then fsynced in the background whatever the flush
    /// policy, so that after a crash recovery only has to read the active segment.
    /// </summary>
    private LogSegment Roll(long baseOffset)
    {
        var segments = Volatile.Read(ref _segments);
        segments[^1].OnBecomeInactive();
        var segment = LogSegment.Create(_directory, baseOffset, NowMs, _limiter);
        Volatile.Write(ref _segments, [.. segments, segment]);
        Volatile.Write(ref _directoryDirty, 1);
        _ = FlushUpToAsync(baseOffset, CancellationToken.None).AsTask().ContinueWith(
            static task => _ = task.Exception, // a failure is kept in _failure; nothing else to do here
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return segment;
    }
}
