using Microsoft.Extensions.Logging;

namespace Orka.Storage;

/// <summary>The node-wide maintenance of a <see cref="LogManager"/>: checkpoints, flush.ms, retention, compaction, and the schedules that run them.</summary>
public sealed partial class LogManager
{
    /// <summary>
    /// Writes the recovery points and log start offsets of every log to the node-wide checkpoint
    /// files, so that recovery after a crash starts from the last fsynced offset rather than
    /// from the first segment. Cheap (two small files); call it periodically.
    /// </summary>
    public async ValueTask CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await WriteCheckpointsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Flushes every open log whose unflushed data has waited flush.ms since its last flush; what
    /// the flush schedule runs. Failures are logged, not thrown.
    /// </summary>
    public async ValueTask FlushDueLogsAsync(CancellationToken cancellationToken = default)
    {
        Space.Recheck(); // ends an out-of-space condition once space is back, even with no producer retrying
        foreach (var log in _logs.Values)
        {
            try
            {
                await log.FlushIfDueAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e)
            {
                _logger.LogError(e, "Scheduled flush of {Topic}-{Partition} failed", log.Topic, log.Partition);
            }
            catch (ObjectDisposedException)
            {
                // closed meanwhile: nothing left to flush
            }
        }
    }

    /// <summary>
    /// Applies retention to every open log (see <see cref="PartitionLog.ApplyRetentionAsync"/>) and
    /// returns how many segments were deleted in all; what the retention schedule runs. Failures
    /// are logged, not thrown.
    /// </summary>
    public async ValueTask<int> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var log in _logs.Values)
        {
            try
            {
                var count = await log.ApplyRetentionAsync(cancellationToken).ConfigureAwait(false);
                if (count > 0)
                {
                    _logger.LogInformation("Retention deleted {Count} segments of {Topic}-{Partition}; log start offset is now {LogStartOffset}",
                        count, log.Topic, log.Partition, log.LogStartOffset);
                }

                deleted += count;
            }
            catch (StorageException e)
            {
                _logger.LogError(e, "Retention of {Topic}-{Partition} failed", log.Topic, log.Partition);
            }
            catch (ObjectDisposedException)
            {
                // closed meanwhile
            }
        }

        return deleted;
    }

    /// <summary>
    /// Runs the log cleaner on every open log whose cleanup.policy includes compact (see
    /// <see cref="PartitionLog.CompactAsync"/>; a log whose dirty ratio is below
    /// min.cleanable.dirty.ratio is skipped) and returns how many segments were rewritten in all;
    /// what the compaction schedule runs. Logs are cleaned one after another, so the cleaner's
    /// disk traffic stays that of one log. Failures are logged, not thrown.
    /// </summary>
    public async ValueTask<int> CompactAsync(CancellationToken cancellationToken = default)
    {
        var rewritten = 0;
        foreach (var log in _logs.Values)
        {
            if (!log.Config.CleanupPolicy.HasFlag(CleanupPolicy.Compact))
            {
                continue;
            }

            try
            {
                var count = await log.CompactAsync(cancellationToken).ConfigureAwait(false);
                if (count > 0)
                {
                    _logger.LogInformation("Compaction rewrote {Count} segments of {Topic}-{Partition}", count, log.Topic, log.Partition);
                }

                rewritten += count;
            }
            catch (StorageException e)
            {
                _logger.LogError(e, "Compaction of {Topic}-{Partition} failed", log.Topic, log.Partition);
            }
            catch (ObjectDisposedException)
            {
                // closed meanwhile
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // the log was closed under the cleaner
            }
        }

        return rewritten;
    }

    private async ValueTask WriteCheckpointsAsync(CancellationToken cancellationToken)
    {
        await _checkpointLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var log in _logs.Values)
            {
                _recoveryPoints[(log.Topic, log.Partition)] = log.RecoveryPoint;
                _logStartOffsets[(log.Topic, log.Partition)] = log.LogStartOffset;
            }

            OffsetCheckpointFile.Write(Path.Combine(DataDirectory, LogFileNames.RecoveryPointCheckpoint), _recoveryPoints.ToDictionary());
            OffsetCheckpointFile.Write(Path.Combine(DataDirectory, LogFileNames.LogStartOffsetCheckpoint), _logStartOffsets.ToDictionary());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Cannot write the checkpoints in '{DataDirectory}': {e.Message}", e);
        }
        finally
        {
            _checkpointLock.Release();
        }
    }

    /// <summary>Called by a log inside DeleteRecordsAsync: its new start must be on disk before the call returns.</summary>
    private async ValueTask PersistLogStartOffsetAsync(PartitionLog log, CancellationToken cancellationToken)
    {
        await _checkpointLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _logStartOffsets[(log.Topic, log.Partition)] = log.LogStartOffset;
            OffsetCheckpointFile.Write(Path.Combine(DataDirectory, LogFileNames.LogStartOffsetCheckpoint), _logStartOffsets.ToDictionary());
        }
        finally
        {
            _checkpointLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> every <paramref name="interval"/> of the injected clock until disposal.</summary>
    private Task RunEveryAsync(TimeSpan interval, Func<CancellationToken, ValueTask> work)
    {
        if (interval == Timeout.InfiniteTimeSpan || interval <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        return Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval, _timeProvider);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await work(_stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _logger.LogError(e, "A storage maintenance task failed in '{DataDirectory}'", DataDirectory);
                    }
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // disposal
            }
        });
    }
}
