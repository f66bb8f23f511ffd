namespace Orka.Broker.Groups;

/// <summary>What a consumer group persists: its offsets, when they were committed, its generation.</summary>
[GenerateSerializer, Alias("Orka.ConsumerGroupState")]
public sealed class ConsumerGroupState
{
    /// <summary>Committed offsets (with their metadata) by partition grain key (<c>topic/partition</c>).</summary>
    [Id(0)]
    public Dictionary<string, CommittedOffset> Offsets { get; set; } = [];

    /// <summary>
    /// The last generation handed out. A restarted group continues after it, so a member of an
    /// earlier activation can never be mistaken for one of the new generation.
    /// </summary>
    [Id(1)]
    public int Generation { get; set; }

    /// <summary>When the group last lost its last member; null while it has members. Offsets expire from here.</summary>
    [Id(2)]
    public DateTimeOffset? EmptySince { get; set; }

    /// <summary>When each offset in <see cref="Offsets"/> was last committed (same keys).</summary>
    [Id(3)]
    public Dictionary<string, DateTimeOffset> CommittedAt { get; set; } = [];
}
