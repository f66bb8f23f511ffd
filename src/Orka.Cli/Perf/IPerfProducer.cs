namespace Orka.Cli.Perf;

/// <summary>One producer of a perf run, over whichever protocol the run measures.</summary>
internal interface IPerfProducer : IAsyncDisposable
{
    /// <summary>
    /// Queues one record with a null key and calls <paramref name="sent"/> exactly once when the
    /// record is acknowledged or has failed (a callback, as Kafka's perf tool uses, rather than a task
    /// per record: the tool must not cost more per record than the client it measures). The producer
    /// copies <paramref name="value"/> before returning, so the caller may reuse it.
    /// </summary>
    void Send(ReadOnlyMemory<byte> value, PerfSend sent);

    /// <summary>Sends whatever is batched and waits for it to be acknowledged.</summary>
    Task FlushAsync();
}
