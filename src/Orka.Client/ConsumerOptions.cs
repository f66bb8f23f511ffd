namespace Orka.Client;

/// <summary>Consumer settings, named after the Kafka consumer's.</summary>
public sealed record ConsumerOptions
{
    /// <summary><c>group.id</c>: where positions are committed; null reads without committing.</summary>
    public string? GroupId { get; init; }

    /// <summary><c>auto.offset.reset</c>: where to start a partition the group has no committed offset for.</summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Latest;

    /// <summary><c>fetch.max.bytes</c> per partition fetch.</summary>
    public int MaxFetchBytes { get; init; } = 1024 * 1024;

    /// <summary><c>fetch.max.wait.ms</c>: how long a fetch waits on the broker for new data.</summary>
    public TimeSpan MaxFetchWait { get; init; } = TimeSpan.FromMilliseconds(500);
}
