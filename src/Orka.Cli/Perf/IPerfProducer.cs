namespace Orka.Cli.Perf;

/// <summary>One producer of a perf run, over whichever protocol the run measures.</summary>
internal interface IPerfProducer : IAsyncDisposable
{
    /// <summary>
    /// Queues one record with a null key and calls <paramref name="completed"/> exactly once, with
    /// <paramref name="sentAt"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) and the
    /// error or null, when the record is acknowledged or has failed. A callback, as Kafka's perf tool
    /// uses, rather than a task per record, and the same one for every record of a run: the tool must
    /// not cost more per record than the client it measures. The producer copies
    /// <paramref name="value"/> before returning, so the caller may reuse it.
    /// </summary>
    void Send(ReadOnlyMemory<byte> value, long sentAt, Action<long, Exception?> completed);

    /// <summary>Sends whatever is batched and waits for it to be acknowledged.</summary>
    Task FlushAsync();
}
