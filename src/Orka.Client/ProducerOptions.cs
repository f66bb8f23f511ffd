namespace Orka.Client;

/// <summary>Producer settings, named after the Kafka producer's.</summary>
public sealed record ProducerOptions
{
    /// <summary><c>acks</c>: how durable a batch must be before it counts as delivered.</summary>
    public Acks Acks { get; init; } = Acks.All;

    /// <summary><c>linger.ms</c>: how long a partial batch waits for more records.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// <c>batch.size</c>: the most bytes of one batch (one grain call per partition); a batch is sent
    /// once the next record would not fit, or when <see cref="Linger"/> expires. Never more than the
    /// topic's <c>max.message.bytes</c>. Default 1 MiB, about librdkafka's 1,000,000: this producer keeps
    /// one batch in flight per partition (so order holds without relying on message order between
    /// calls), so under load the batch must be large for the round trip not to bound throughput
    /// (64 KiB batches gave a third of the 1 MiB figure). Under light load batches stay small anyway:
    /// they go out when the linger expires.
    /// </summary>
    public int BatchSize { get; init; } = 1024 * 1024;

    /// <summary>Grain calls in flight at once across all partitions (one per partition at the most).</summary>
    public int MaxInFlightBatches { get; init; } = 16;

    /// <summary>
    /// <c>enable.idempotence</c>: stamp batches with a producer id and per-partition sequence numbers,
    /// so that a retried batch is never appended twice and none is reordered.
    /// </summary>
    public bool EnableIdempotence { get; init; } = true;

    /// <summary><c>delivery.timeout.ms</c>: how long a batch is retried on retriable errors before it fails.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>retries</c>: how many times a batch that failed with a retriable error is sent again, within
    /// <see cref="DeliveryTimeout"/>. 0 fails its records at the first error (a tool that must report
    /// each failure as it happens); the default retries until the delivery timeout, as Kafka's.
    /// </summary>
    public int Retries { get; init; } = int.MaxValue;

    /// <summary>
    /// <c>buffer.memory</c>: the most bytes of records the producer holds (batching, waiting for
    /// metadata, in flight) before producing waits for acknowledgements to free space. Default 32 MiB.
    /// A single record bigger than this fails with MessageTooLarge.
    /// </summary>
    public long BufferMemory { get; init; } = 32L * 1024 * 1024;

    /// <summary><c>max.block.ms</c>: how long producing waits for buffer space before failing with RequestTimedOut.</summary>
    public TimeSpan MaxBlock { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>retry.backoff.ms</c>: the pause before a retry (doubled per attempt, at most 1 s).</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
}
