namespace Orka.Cli.Perf;

/// <summary>One consumer of a perf consume run, over whichever protocol the run measures.</summary>
internal interface IPerfConsumer : IAsyncDisposable
{
    /// <summary>Assigns every partition of the topic, from the group's committed offsets or else the beginning.</summary>
    Task AssignAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads until <paramref name="messages"/> records arrived or <paramref name="cancellationToken"/>
    /// fires (then throws <see cref="OperationCanceledException"/>), adding each record to
    /// <paramref name="progress"/> as it arrives.
    /// </summary>
    Task ReadAsync(long messages, ConsumeProgress progress, CancellationToken cancellationToken);

    /// <summary>Commits the positions reached when the run has a group; otherwise nothing.</summary>
    Task CommitAsync();
}
