namespace Orka.Storage;

/// <summary>
/// Owns every partition log of one node's data directory: opening (with recovery), creating,
/// deleting, and closing them all on shutdown.
/// </summary>
public sealed class LogManager : IAsyncDisposable
{
    private LogManager() { }

    public string DataDirectory => throw new NotImplementedException();

    /// <summary>
    /// Opens the data directory, creating it if needed. Throws <see cref="StorageException"/> (Io)
    /// when it cannot be created, read or written.
    /// </summary>
    public static LogManager Open(LogManagerOptions options, TimeProvider? timeProvider = null)
        => throw new NotImplementedException();

    /// <summary>
    /// The log of a partition, opened (and recovered) on first use or created empty. A directory
    /// left by an earlier topic of the same name (a different <paramref name="topicId"/>) is deleted
    /// first. Names are validated before they touch the file system.
    /// </summary>
    public ValueTask<PartitionLog> GetOrCreateLogAsync(string topic, int partition, Guid topicId, LogConfig config, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Closes and deletes a partition's log, if this node has it.</summary>
    public ValueTask DeleteLogAsync(string topic, int partition, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>The partition logs present in the data directory.</summary>
    public IReadOnlyList<(string Topic, int Partition)> ListLogs() => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
