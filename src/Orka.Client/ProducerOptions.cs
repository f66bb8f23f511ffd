namespace Orka.Client;

/// <summary>Producer settings, named after the Kafka producer's.</summary>
public sealed record ProducerOptions
{
    /// <summary><c>acks</c>: how durable a batch must be before it counts as delivered.</summary>
    public Acks Acks { get; init; } = Acks.All;

    /// <summary><c>linger.ms</c>: how long a partial batch waits for more records.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary><c>batch.size</c>: a batch is sent once it reaches this many bytes.</summary>
    public int BatchSize { get; init; } = 64 * 1024;

    /// <summary>Batches in flight across all partitions before <c>ProduceAsync</c> waits (back-pressure).</summary>
    public int MaxInFlightBatches { get; init; } = 16;
}
