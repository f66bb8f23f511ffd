using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orka.Storage;

/// <summary>
/// Owns every partition log of one node's data directory: opening (with recovery), creating,
/// deleting, and closing them all on shutdown.
/// </summary>
/// <remarks>
/// <para>The data directory holds one directory per partition (<c>{topic}-{partition}</c>) and
/// node-wide files, all named in <see cref="LogFileNames"/> and described in <c>FORMAT.md</c>:
/// <c>.lock</c> (held while open, so two processes never share a directory),
/// <c>recovery-point-offset-checkpoint</c> and <c>log-start-offset-checkpoint</c> (written by
/// <see cref="CheckpointAsync"/> and at shutdown), and <c>.clean-shutdown</c> (written last by
/// <see cref="DisposeAsync"/>, removed at open). A log opened after an unclean shutdown validates
/// every segment from its checkpointed recovery point; after a clean one, only its last segment.</para>
/// <para>Logs are opened lazily, on the first <see cref="GetOrCreateLogAsync"/> for them. Opening,
/// creating and deleting one partition are serialized by a lock of that partition, so partitions
/// recover in parallel after a restart; looking up an open log is a dictionary read.</para>
/// <para>Four background schedules run until disposal, on the injected clock, at the intervals of
/// <see cref="LogManagerOptions"/>: <see cref="FlushDueLogsAsync"/> (flush.ms),
/// <see cref="ApplyRetentionAsync"/>, <see cref="CompactAsync"/> and <see cref="CheckpointAsync"/>. Each can also be called
/// directly. A failure in one log is logged and does not stop the schedule for the others.</para>
/// </remarks>
public sealed partial class LogManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _recoveryPoints;
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _logStartOffsets;
    private readonly ConcurrentDictionary<(string Topic, int Partition), SemaphoreSlim> _partitionGates = new();
    private readonly SemaphoreSlim _checkpointLock = new(1, 1); // never held while waiting for a log, so logs may take it
    private readonly CancellationTokenSource _stopping = new();
    private readonly FileStream _lockFile;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Task[] _schedules;
    private readonly OpenFileLimiter _limiter;
    private int _disposed;
    private volatile bool _closedUnflushed;

    private LogManager(string dataDirectory, LogManagerOptions options, FileStream lockFile, bool cleanShutdown, TimeProvider timeProvider, ILogger logger,
        Dictionary<(string, int), long> recoveryPoints, Dictionary<(string, int), long> logStartOffsets)
    {
        DataDirectory = dataDirectory;
        _lockFile = lockFile;
        WasCleanShutdown = cleanShutdown;
        _timeProvider = timeProvider;
        _logger = logger;
        _recoveryPoints = new(recoveryPoints);
        _logStartOffsets = new(logStartOffsets);
        _limiter = new OpenFileLimiter(options.MaxOpenSegmentFiles);
        Space = new StorageSpace(dataDirectory, logger, timeProvider);
        Descriptors = new FileDescriptorLimit(logger);
        Descriptors.CheckBudget(options.MaxOpenSegmentFiles);
        _schedules =
        [
            RunEveryAsync(options.FlushCheckInterval, FlushDueLogsAsync),
            RunEveryAsync(options.RetentionCheckInterval, async ct => await ApplyRetentionAsync(ct).ConfigureAwait(false)),
            RunEveryAsync(options.CheckpointInterval, CheckpointAsync),
            RunEveryAsync(options.CompactionCheckInterval, async ct => await CompactAsync(ct).ConfigureAwait(false)),
            RunEveryAsync(options.DescriptorCheckInterval, _ =>
            {
                Descriptors.Check();
                return ValueTask.CompletedTask;
            }),
        ];
    }

    /// <summary>The full path of the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>How many segments (active ones included) hold an open <c>.log</c> handle now (bounded by <see cref="LogManagerOptions.MaxOpenSegmentFiles"/>).</summary>
    public int OpenSegmentFiles => _limiter.Count;

    /// <summary>The most segment handles open at once since the manager was opened (after evictions; see <see cref="OpenFileLimiter"/>).</summary>
    public int PeakOpenSegmentFiles => _limiter.Peak;

    /// <summary>Which partitions cannot take appends because the data directory's file system is full.</summary>
    public StorageSpace Space { get; }

    /// <summary>The process's open file descriptors against its limit.</summary>
    public FileDescriptorLimit Descriptors { get; }

    /// <summary>Whether the previous owner of the data directory shut down cleanly.</summary>
    public bool WasCleanShutdown { get; }

    /// <summary>
    /// Opens the data directory, creating it if needed. Throws <see cref="StorageException"/> (Io)
    /// when it cannot be created, read or written.
    /// </summary>
    public static LogManager Open(LogManagerOptions options, TimeProvider? timeProvider = null)
        => Open(options, timeProvider, NullLogger.Instance);

    /// <summary>
    /// Opens the data directory as <see cref="Open(LogManagerOptions, TimeProvider?)"/> does, logging
    /// recoveries that cut data and failures of the background schedules to <paramref name="logger"/>.
    /// </summary>
    public static LogManager Open(LogManagerOptions options, TimeProvider? timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxOpenSegmentFiles, 1, nameof(options));
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory, nameof(options));
        var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory));

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Cannot create the data directory '{directory}': {e.Message}", e);
        }

        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix), released by the OS if we die.
            lockFile = new FileStream(Path.Combine(directory, LogFileNames.LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(StorageErrorKind.Io, $"Cannot write to the data directory '{directory}': {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorKind.Io, $"The data directory '{directory}' is in use by another process, or not writable: {e.Message}", e);
        }

        try
        {
            var marker = Path.Combine(directory, LogFileNames.CleanShutdownMarker);
            var clean = File.Exists(marker);
            if (clean)
            {
                // Gone before anything is written, so that a crash from here on counts as unclean.
                File.Delete(marker);
                DurableFile.SyncDirectory(directory);
            }

            SweepLeftovers(directory);
            var present = ListLogs(directory).ToHashSet();
            var recoveryPoints = ReadCheckpoint(directory, LogFileNames.RecoveryPointCheckpoint, present);
            var logStartOffsets = ReadCheckpoint(directory, LogFileNames.LogStartOffsetCheckpoint, present);
            return new LogManager(directory, options, lockFile, clean, timeProvider ?? TimeProvider.System, logger, recoveryPoints, logStartOffsets);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lockFile.Dispose();
            throw new StorageException(StorageErrorKind.Io, $"Cannot prepare the data directory '{directory}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The log of a partition, opened (and recovered) on first use or created empty. A directory
    /// left by an earlier topic of the same name (a different <paramref name="topicId"/>) is deleted
    /// first. Names are validated before they touch the file system.
    /// </summary>
    /// <remarks>An open log of the same topic id is returned as is, with <paramref name="config"/> applied.</remarks>
    public async ValueTask<PartitionLog> GetOrCreateLogAsync(string topic, int partition, Guid topicId, LogConfig config, CancellationToken cancellationToken = default)
    {
        var path = LogFileNames.PartitionPath(DataDirectory, topic, partition);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ThrowIfDisposed();

        var key = (topic, partition);
        if (_logs.TryGetValue(key, out var open) && open.TopicId == topicId && !open.IsClosed)
        {
            ApplyConfig(open, config);
            return open;
        }

        var gate = _partitionGates.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed(); // checked under the gate: DisposeAsync takes every gate after setting the flag
            if (_logs.TryGetValue(key, out open) && open.IsClosed)
            {
                // Its owner is closing it: let the close finish, then open it afresh.
                await open.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
                _logs.TryRemove(new KeyValuePair<(string, int), PartitionLog>(key, open));
                open = null;
            }

            if (open is not null)
            {
                if (open.TopicId == topicId)
                {
                    ApplyConfig(open, config);
                    return open;
                }

                _logs.TryRemove(key, out _);
                await open.CloseAsync(flush: false).ConfigureAwait(false);
                DeletePartitionDirectory(key, path);
            }
            else if (Directory.Exists(path) && PartitionMetadataFile.Read(path) is { } stored && stored != topicId)
            {
                DeletePartitionDirectory(key, path);
            }

            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path);
                DurableFile.SyncDirectory(DataDirectory);
            }

            // Written before any segment: a directory without it holds nothing worth keeping.
            if (PartitionMetadataFile.Read(path) != topicId)
            {
                PartitionMetadataFile.Write(path, topicId);
            }

            // Trusted below the checkpointed recovery point; with no checkpoint entry, trust
            // nothing unless the last shutdown was clean (then all but the last segment).
            var recoverFrom = _recoveryPoints.TryGetValue(key, out var point) ? point : WasCleanShutdown ? long.MaxValue : 0;
            var logStartOffset = _logStartOffsets.GetValueOrDefault(key);
            var log = await PartitionLog.OpenAsync(path, topic, partition, topicId, config, recoverFrom, logStartOffset, _timeProvider, _limiter, Space,
                OnLogClosed, PersistLogStartOffsetAsync, cancellationToken).ConfigureAwait(false);
            log.CorruptionFound = LogCorruption;
            _logs[key] = log;
            if (log.LastRecovery.Problem is not null || log.LastRecovery.BytesTruncated > 0)
            {
                _logger.LogWarning("Recovered {Topic}-{Partition}: {Report}", topic, partition, log.LastRecovery);
            }

            return log;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Cannot open the log of {topic}-{partition} in '{path}': {e.Message}", e);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Closes and deletes a partition's log, if this node has it.</summary>
    /// <remarks>The directory is renamed to <c>*.deleted</c> first, so a crash midway leaves garbage that the next open sweeps, never half a log.</remarks>
    public async ValueTask DeleteLogAsync(string topic, int partition, CancellationToken cancellationToken = default)
    {
        var path = LogFileNames.PartitionPath(DataDirectory, topic, partition);
        ThrowIfDisposed();
        var key = (topic, partition);
        var gate = _partitionGates.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (_logs.TryRemove(key, out var log))
            {
                await log.CloseAsync(flush: false).ConfigureAwait(false);
            }

            DeletePartitionDirectory(key, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Io, $"Cannot delete the log of {topic}-{partition} in '{path}': {e.Message}", e);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The partition logs present in the data directory.</summary>
    public IReadOnlyList<(string Topic, int Partition)> ListLogs() => ListLogs(DataDirectory);

    /// <summary>
    /// The topic id recorded in a partition directory's <c>partition.metadata</c>, without opening the
    /// log; null when the directory or its metadata is missing or unreadable.
    /// </summary>
    public Guid? ReadTopicId(string topic, int partition)
    {
        try
        {
            return PartitionMetadataFile.Read(LogFileNames.PartitionPath(DataDirectory, topic, partition));
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Flushes and closes every log, writes the checkpoints and, if every log closed cleanly,
    /// the clean-shutdown marker; then releases the directory lock.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_schedules).ConfigureAwait(false);

        // Wait out opens and deletes in progress; any that start later fail on the disposed flag.
        var gates = _partitionGates.Values.ToList();
        foreach (var gate in gates)
        {
            await gate.WaitAsync().ConfigureAwait(false);
        }

        try
        {
            var clean = !_closedUnflushed;
            foreach (var log in _logs.Values)
            {
                try
                {
                    await log.DisposeAsync().ConfigureAwait(false);
                }
                catch (StorageException)
                {
                    clean = false; // its recovery point stays where the last good fsync left it
                }

                clean &= log.RecoveryPoint == log.LogEndOffset;
            }

            await WriteCheckpointsAsync(CancellationToken.None).ConfigureAwait(false);
            if (clean)
            {
                DurableFile.WriteAtomically(Path.Combine(DataDirectory, LogFileNames.CleanShutdownMarker), []);
            }
        }
        finally
        {
            _lockFile.Dispose();
            _stopping.Dispose();
            foreach (var gate in gates)
            {
                gate.Release(); // whoever waits behind us now finds the manager disposed
            }
        }
    }

    private void OnLogClosed(PartitionLog log)
    {
        var key = (log.Topic, log.Partition);
        _logs.TryRemove(new KeyValuePair<(string, int), PartitionLog>(key, log));
        _recoveryPoints[key] = log.RecoveryPoint;
        _logStartOffsets[key] = log.LogStartOffset;
        if (log.RecoveryPoint < log.LogEndOffset)
        {
            _closedUnflushed = true; // closed after a failed fsync: the next open must not trust it
        }
    }

    private static void ApplyConfig(PartitionLog log, LogConfig config)
    {
        if (!Equals(log.Config, config))
        {
            log.UpdateConfig(config);
        }
    }

    private void DeletePartitionDirectory((string Topic, int Partition) key, string path)
    {
        _recoveryPoints.TryRemove(key, out _);
        _logStartOffsets.TryRemove(key, out _);
        if (!Directory.Exists(path))
        {
            return;
        }

        var doomed = $"{path}.{Guid.NewGuid():N}{LogFileNames.DeletedSuffix}";
        Directory.Move(path, doomed);
        DurableFile.SyncDirectory(DataDirectory);
        Directory.Delete(doomed, recursive: true);
    }

    private static List<(string Topic, int Partition)> ListLogs(string dataDirectory)
    {
        var logs = new List<(string, int)>();
        foreach (var path in Directory.EnumerateDirectories(dataDirectory))
        {
            if (LogFileNames.TryParsePartitionDirectory(Path.GetFileName(path), out var topic, out var partition))
            {
                logs.Add((topic, partition));
            }
        }

        logs.Sort();
        return logs;
    }

    private static void SweepLeftovers(string dataDirectory)
    {
        foreach (var path in Directory.EnumerateDirectories(dataDirectory, "*" + LogFileNames.DeletedSuffix))
        {
            Directory.Delete(path, recursive: true);
        }

        foreach (var path in Directory.EnumerateFiles(dataDirectory, "*" + LogFileNames.TempSuffix))
        {
            File.Delete(path);
        }
    }

    /// <summary>Reads a checkpoint, keeping only partitions that still have a directory.</summary>
    private static Dictionary<(string, int), long> ReadCheckpoint(string dataDirectory, string name, HashSet<(string, int)> present)
    {
        var entries = OffsetCheckpointFile.Read(Path.Combine(dataDirectory, name)) ?? [];
        return entries.Where(e => present.Contains(e.Key)).ToDictionary();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
