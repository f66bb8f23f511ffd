using Microsoft.Extensions.Logging;

namespace Orka.Storage;

/// <summary>
/// Which partitions of a node cannot take appends because the data directory's file system is
/// full, for the node's health check and log. A partition joins when an append fails for lack of
/// space and leaves at its next successful append; all leave at once when the periodic check
/// (<see cref="Recheck"/>) finds space again, so the node reports healthy even if no producer
/// retries. The start and the end of the condition are logged once each, not per append.
/// </summary>
/// <remarks>Thread-safe. The per-append cost on the happy path is one volatile read in the log.</remarks>
public sealed class StorageSpace
{
    /// <summary>Free bytes below which <see cref="Recheck"/> keeps the condition on (a batch of a few hundred KiB must fit).</summary>
    public const long MinimumFreeBytes = 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _outOfSpace = new(StringComparer.Ordinal);
    private readonly string _dataDirectory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private DateTimeOffset? _since;

    internal StorageSpace(string dataDirectory, ILogger logger, TimeProvider timeProvider)
    {
        _dataDirectory = dataDirectory;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>The partitions (<c>topic-partition</c>) whose last append failed for lack of space, sorted.</summary>
    public IReadOnlyList<string> PartitionsOutOfSpace
    {
        get
        {
            lock (_gate)
            {
                return [.. _outOfSpace.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>When the current out-of-space condition began; null when there is none.</summary>
    public DateTimeOffset? OutOfSpaceSince
    {
        get
        {
            lock (_gate)
            {
                return _since;
            }
        }
    }

    /// <summary>The message appends fail with while the disk is full.</summary>
    internal string Message => $"No space left on device on {_dataDirectory}; the append can be retried once space is freed.";

    internal void AppendFailed(string partition, Exception cause)
    {
        lock (_gate)
        {
            if (!_outOfSpace.Add(partition))
            {
                return;
            }

            if (_since is null)
            {
                _since = _timeProvider.GetUtcNow();
                _logger.LogError(cause, "No space left on device on {DataDirectory}: appends to {Partition} fail (retriable) until space is freed", _dataDirectory, partition);
            }
            else
            {
                _logger.LogWarning("No space left on device on {DataDirectory}: appends to {Partition} fail too", _dataDirectory, partition);
            }
        }
    }

    internal void AppendSucceeded(string partition)
    {
        lock (_gate)
        {
            if (_outOfSpace.Remove(partition) && _outOfSpace.Count == 0)
            {
                End();
            }
        }
    }

    /// <summary>
    /// While the condition is on, checks the free space of the data directory's file system and
    /// ends the condition when at least <see cref="MinimumFreeBytes"/> are free (what the manager's
    /// flush schedule calls each second). Returns whether the condition is still on.
    /// </summary>
    public bool Recheck()
    {
        lock (_gate)
        {
            if (_since is null)
            {
                return false;
            }
        }

        long free;
        try
        {
            free = new DriveInfo(_dataDirectory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return true; // cannot tell: the next append decides
        }

        if (free < MinimumFreeBytes)
        {
            return true;
        }

        lock (_gate)
        {
            if (_since is not null)
            {
                _outOfSpace.Clear();
                End();
            }
        }

        return false;
    }

    private void End()
    {
        _logger.LogInformation("Space is available again on {DataDirectory} ({Duration} after it ran out): appends resume",
            _dataDirectory, _timeProvider.GetUtcNow() - _since);
        _since = null;
    }
}
