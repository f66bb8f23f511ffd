using System.Runtime.CompilerServices;

namespace Orka.Storage;

public sealed partial class PartitionLog
{
    /// <summary>How much of a segment the cleaner reads at a time.</summary>
    private const int CleanerReadBytes = 1024 * 1024;

    private readonly SemaphoreSlim _cleanerLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();

    /// <summary>
    /// Offsets below this were in closed segments at the last cleaning. Kept in memory only: after
    /// an open every closed segment counts as dirty, so the first cleaning rewrites them all once.
    /// </summary>
    private long _firstDirtyOffset;

    /// <summary>Test hook: called after each file step of a compaction swap, with a label for the step.</summary>
    internal Action<string>? CompactionStepHook { get; set; }

    /// <summary>
    /// Runs the log cleaner once if <see cref="LogConfig.CleanupPolicy"/> includes compact and the
    /// dirty ratio (bytes of closed segments not cleaned since this log was opened or last cleaned,
    /// over all closed bytes) is at least <see cref="LogConfig.MinCleanableDirtyRatio"/>, with some
    /// dirty bytes. Returns how many segments it rewrote (0 when nothing was due).
    /// </summary>
    /// <remarks>
    /// <para>What is kept: among the closed segments (never the active one), the latest record of
    /// each key, at its original offset; older records of the key are dropped. Records without a
    /// key are dropped too (Kafka refuses them at produce on a compacted topic; here they are
    /// accepted and survive only until the first cleaning). A tombstone (null value) is kept: the
    /// first cleaning that rewrites its batch stamps a delete horizon of now +
    /// <see cref="LogConfig.DeleteRetentionMs"/> into the batch (attribute bit 6), and a cleaning
    /// after the horizon drops it. So a tombstone lives at least delete.retention.ms after its
    /// segment was first cleaned; it is dropped only when a later cleaning runs, which needs new
    /// dirty data. Control batches are copied as they are.</para>
    /// <para>How: one pass over the closed segments builds a map from key to its latest offset;
    /// then consecutive closed segments are grouped (at most segment.bytes of input per group) and
    /// each group is rewritten into one new segment with the group's first base offset. A batch
    /// that keeps every record (and needs no new delete horizon) is copied byte for byte; any other
    /// is re-encoded uncompressed, covering the same offsets (see <see cref="CompactedBatchBuilder"/>);
    /// a batch that keeps nothing is dropped, leaving a gap in the offsets. The new segment is
    /// written and fsynced under <c>.cleaned</c> names without any lock, then swapped in (see
    /// <see cref="SegmentSwap"/> and <c>FORMAT.md</c>) under the append lock, which is held only for a
    /// few renames and two directory fsyncs; appends otherwise go on, and reads go on throughout: a reader that took the old
    /// segment list keeps reading the old files until it is done.</para>
    /// <para>Thread-safety: one cleaning at a time per log; safe with appends, reads, flushes,
    /// retention (a group that retention deleted meanwhile is abandoned) and closing (which cancels
    /// the cleaning and waits for it). Needs to decode batches, so a segment holding Snappy, LZ4 or
    /// Zstd batches cannot be compacted yet (CorruptRecord).</para>
    /// </remarks>
    public async ValueTask<int> CompactAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!Config.CleanupPolicy.HasFlag(CleanupPolicy.Compact))
        {
            return 0;
        }

        await _cleanerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            var token = linked.Token;
            return await Task.Run(async () => await CompactOnceAsync(token).ConfigureAwait(false), token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Compaction of {Topic}-{Partition} failed: {e.Message}", e);
        }
        catch (CorruptRecordException e)
        {
            throw new StorageException(StorageErrorKind.CorruptRecord, $"Compaction of {Topic}-{Partition} stopped: {e.Message}", e);
        }
        finally
        {
            _cleanerLock.Release();
        }
    }

    /// <summary>Called by a close before it takes the append lock: cancels a cleaning and waits until it has stopped.</summary>
    private async ValueTask StopCleaningAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await _cleanerLock.WaitAsync().ConfigureAwait(false);
        _cleanerLock.Release();
    }

    private async ValueTask<int> CompactOnceAsync(CancellationToken cancellationToken)
    {
        var config = Config;
        var segments = Volatile.Read(ref _segments);
        var closed = segments[..^1];
        var firstDirty = Volatile.Read(ref _firstDirtyOffset);
        long cleanBytes = 0, dirtyBytes = 0;
        foreach (var segment in closed)
        {
            if (segment.NextOffset <= firstDirty)
            {
                cleanBytes += segment.Size;
            }
            else
            {
                dirtyBytes += segment.Size;
            }
        }

        if (dirtyBytes == 0 || (double)dirtyBytes / (cleanBytes + dirtyBytes) < config.MinCleanableDirtyRatio)
        {
            return 0;
        }

        var leased = new List<LogSegment>(closed.Length);
        try
        {
            foreach (var segment in closed)
            {
                if (!segment.TryAcquire())
                {
                    return 0; // retention or a close got there first; the next run sees the new list
                }

                leased.Add(segment);
            }

            var latest = await BuildOffsetMapAsync(closed, cancellationToken).ConfigureAwait(false);
            var now = NowMs;
            var rewritten = 0;
            var abandoned = false;
            foreach (var group in GroupForCleaning(closed, config.SegmentBytes))
            {
                if (await CleanGroupAsync(group, latest, config, now, cancellationToken).ConfigureAwait(false))
                {
                    rewritten += group.Length;
                }
                else
                {
                    abandoned = true;
                }
            }

            if (!abandoned)
            {
                Volatile.Write(ref _firstDirtyOffset, segments[^1].BaseOffset); // else what is left stays dirty for the next run
            }

            return rewritten;
        }
        finally
        {
            foreach (var segment in leased)
            {
                segment.Release();
            }
        }
    }

    /// <summary>The latest offset of every key in <paramref name="segments"/>.</summary>
    private static async ValueTask<Dictionary<byte[], long>> BuildOffsetMapAsync(LogSegment[] segments, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<byte[], long>(KeyComparer.Instance);
        foreach (var segment in segments)
        {
            await foreach (var (_, batch) in ReadBatchesAsync(segment, cancellationToken).ConfigureAwait(false))
            {
                foreach (var record in RecordBatchReader.ReadRecords(batch))
                {
                    if (record.Key is { } key)
                    {
                        latest[key.ToArray()] = record.Offset;
                    }
                }
            }
        }

        return latest;
    }

    /// <summary>Consecutive segments whose sizes add up to at most <paramref name="segmentBytes"/> (a larger one alone), within int32 offsets of the first.</summary>
    private static List<LogSegment[]> GroupForCleaning(LogSegment[] segments, long segmentBytes)
    {
        var groups = new List<LogSegment[]>();
        var start = 0;
        while (start < segments.Length)
        {
            var end = start + 1;
            var bytes = segments[start].Size;
            while (end < segments.Length
                && bytes + segments[end].Size <= Math.Min(segmentBytes, int.MaxValue)
                && segments[end].NextOffset - 1 - segments[start].BaseOffset <= int.MaxValue)
            {
                bytes += segments[end].Size;
                end++;
            }

            groups.Add(segments[start..end]);
            start = end;
        }

        return groups;
    }

    /// <summary>Writes the cleaned copy of <paramref name="group"/> and swaps it in; false if the group changed meanwhile (then nothing changed).</summary>
    private async ValueTask<bool> CleanGroupAsync(LogSegment[] group, Dictionary<byte[], long> latest, LogConfig config, long now, CancellationToken cancellationToken)
    {
        var baseOffset = group[0].BaseOffset;
        var writer = new CleanedSegmentWriter(_directory, baseOffset, config.IndexIntervalBytes);
        try
        {
            foreach (var segment in group)
            {
                await foreach (var (header, batch) in ReadBatchesAsync(segment, cancellationToken).ConfigureAwait(false))
                {
                    if (header.IsControl)
                    {
                        writer.Append(batch.Span, header);
                        continue;
                    }

                    var records = RecordBatchReader.ReadRecords(batch).ToList();
                    var horizonPassed = header.HasDeleteHorizon && now >= header.BaseTimestamp;
                    var kept = records.Where(r => r.Key is { } key
                        && latest.TryGetValue(key.ToArray(), out var offset) && offset == r.Offset
                        && !(r.Value is null && horizonPassed)).ToList();
                    if (kept.Count == 0)
                    {
                        continue;
                    }

                    var hasTombstone = kept.Exists(r => r.Value is null);
                    if (kept.Count == records.Count && (!hasTombstone || header.HasDeleteHorizon))
                    {
                        writer.Append(batch.Span, header); // unchanged: keep the producer's bytes (and compression)
                        continue;
                    }

                    long? horizon = !hasTombstone ? null : header.HasDeleteHorizon ? header.BaseTimestamp : now + config.DeleteRetentionMs;
                    var rebuilt = CompactedBatchBuilder.Build(header, kept, horizon);
                    writer.Append(rebuilt, RecordBatchHeader.Read(rebuilt));
                }
            }

            writer.Complete();
            DurableFile.SyncDirectory(_directory);
        }
        catch
        {
            writer.Abandon();
            throw;
        }

        CompactionStepHook?.Invoke("cleaned");
        return await SwapAsync(group, baseOffset, config).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces <paramref name="group"/> with its cleaned copy, in the order of <see cref="SegmentSwap"/>,
    /// under the append lock so that retention, DeleteRecords, rolls and closes see either list.
    /// </summary>
    private async ValueTask<bool> SwapAsync(LogSegment[] group, long baseOffset, LogConfig config)
    {
        var step = CompactionStepHook;
        await _writeLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var current = Volatile.Read(ref _segments);
            var at = Array.IndexOf(current, group[0]);
            if (Volatile.Read(ref _disposed) != 0 || at < 0 || at + group.Length >= current.Length
                || !current.AsSpan(at, group.Length).SequenceEqual(group))
            {
                SegmentSwap.DeleteCleaned(_directory, baseOffset);
                return false;
            }

            try
            {
                // The directory is fsynced after the commit and after the deletions so that, after a
                // power loss too, no installed segment can reappear next to an old one it replaced.
                SegmentSwap.Commit(_directory, baseOffset, step);
                DurableFile.SyncDirectory(_directory);
                foreach (var old in group)
                {
                    old.RenameToDeleted(); // readers holding the old list keep reading these files
                    step?.Invoke($"delete {LogFileNames.SegmentFile(old.BaseOffset)}");
                }

                DurableFile.SyncDirectory(_directory);
                SegmentSwap.Install(_directory, baseOffset, step);
                var fresh = LogSegment.Open(_directory, baseOffset, NowMs, _limiter, out var indexesAreUsable);
                if (!indexesAreUsable || !fresh.LoadTrusted())
                {
                    fresh.Recover(baseOffset, config.IndexIntervalBytes);
                }

                fresh.OnBecomeInactive();
                Volatile.Write(ref _segments, [.. current[..at], fresh, .. current[(at + group.Length)..]]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Past the commit point the files are ahead of the segment list: stop appending
                // until a reopen, whose recovery finishes the swap.
                _failure ??= e;
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }

        foreach (var old in group)
        {
            old.Release(); // the owner's reference: files go once the last reader is done
        }

        DurableFile.SyncDirectory(_directory);
        step?.Invoke("synced");
        return true;
    }

    /// <summary>Every whole batch of a closed segment, read <see cref="CleanerReadBytes"/> at a time, each checked (CRC).</summary>
    private static async IAsyncEnumerable<(RecordBatchHeader Header, ReadOnlyMemory<byte> Batch)> ReadBatchesAsync(
        LogSegment segment, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var offset = segment.BaseOffset;
        while (await segment.ReadAsync(offset, CleanerReadBytes, long.MaxValue, cancellationToken).ConfigureAwait(false) is { Length: > 0 } data)
        {
            var position = 0;
            while (position < data.Length)
            {
                var header = RecordBatchHeader.ReadValidated(data.Span[position..]);
                yield return (header, data.Slice(position, header.SizeInBytes));
                position += header.SizeInBytes;
                offset = header.LastOffset + 1;
            }
        }
    }

    /// <summary>Compares keys by content.</summary>
    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key)
        {
            var hash = new HashCode();
            hash.AddBytes(key);
            return hash.ToHashCode();
        }
    }
}
