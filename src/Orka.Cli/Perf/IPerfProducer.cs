namespace Orka.Cli.Perf;

/// <summary>One producer of a perf run, over whichever protocol the run measures.</summary>
internal interface IPerfProducer : IAsyncDisposable
{
    /// <summary>
    /// Queues one record with a null key; the task completes when the record is acknowledged. The
    /// producer copies <paramref name="value"/> before returning, so the caller may reuse it.
    /// </summary>
    Task SendAsync(ReadOnlyMemory<byte> value);

    /// <summary>Sends whatever is batched and waits for it to be acknowledged.</summary>
    Task FlushAsync();
}
