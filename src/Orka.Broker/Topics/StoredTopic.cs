using System.Collections.Immutable;

namespace Orka.Broker.Topics;

/// <summary>
/// A topic as the metadata store keeps it: <see cref="TopicMetadata"/>'s fields under the same ids,
/// plus field 2, the node of each partition, which is how state was written before partitions had
/// assignments.
/// </summary>
/// <remarks>
/// Reading: <see cref="Assignments"/> (field 5) when present; otherwise state written before it, whose
/// <see cref="Leaders"/> become single-replica assignments at epoch 0. Writing: both, so that the
/// previous release still reads the topic (it knows field 2 only and skips field 5). The ids are
/// never renumbered; the state file written by that release is a test fixture
/// (tests/Orka.Broker.Tests/Fixtures/state-before-assignments). It must stay a record: Orleans
/// encodes a record with a (here empty) base-type section before its fields, as it encoded the
/// record <see cref="TopicMetadata"/> that earlier state holds; a class reads none of those fields.
/// </remarks>
[GenerateSerializer, Alias("Orka.StoredTopic")]
public sealed record StoredTopic
{
    [Id(0)]
    public string Name { get; set; } = "";

    [Id(1)]
    public Guid TopicId { get; set; }

    /// <summary>The leader of each partition (field 2 of the earlier format).</summary>
    [Id(2)]
    public ImmutableArray<int> Leaders { get; set; } = [];

    [Id(3)]
    public ImmutableDictionary<string, string> Config { get; set; } = ImmutableDictionary<string, string>.Empty;

    [Id(4)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(5)]
    public ImmutableArray<PartitionAssignment> Assignments { get; set; } = [];

    public static StoredTopic From(TopicMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new StoredTopic
        {
            Name = metadata.Name,
            TopicId = metadata.TopicId,
            Leaders = [.. metadata.Assignments.Select(PartitionLeadership.NodeToServe)],
            Config = metadata.Config,
            CreatedAt = metadata.CreatedAt,
            Assignments = metadata.Assignments,
        };
    }

    public TopicMetadata ToMetadata() => new(
        Name,
        TopicId,
        Assignments.IsDefaultOrEmpty ? [.. Leaders.Select(PartitionAssignment.OnNode)] : Assignments,
        Config,
        CreatedAt);
}
