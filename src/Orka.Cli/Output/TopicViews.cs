namespace Orka.Cli.Output;

// The JSON/YAML shapes of `orka topics list|describe` (field names camelCase; documented in the README).
// Kept apart from the grain messages so that the CLI's output stays stable when those change.

/// <summary>One row of <c>orka topics list</c>.</summary>
internal sealed record TopicListView(string Name, int PartitionCount);

/// <summary><c>orka topics describe</c>.</summary>
internal sealed record TopicDescriptionView(
    string Name,
    Guid TopicId,
    int PartitionCount,
    DateTimeOffset CreatedAt,
    IReadOnlyList<TopicPartitionView> Partitions,
    IReadOnlyList<TopicConfigView> Configs);

/// <summary>
/// A partition of a described topic. <c>online</c> is false when its node did not answer; the offsets
/// and size are null then.
/// </summary>
internal sealed record TopicPartitionView(int Partition, int Node, bool Online, long? LogStartOffset, long? LogEndOffset, long? SizeInBytes);

/// <summary>A config key of a described topic; <c>source</c> is Kafka's name (DYNAMIC_TOPIC_CONFIG or DEFAULT_CONFIG).</summary>
internal sealed record TopicConfigView(string Name, string Value, string? Default, string Source, string Documentation)
{
    public static TopicConfigView Of(TopicConfigEntry entry) =>
        new(entry.Name, entry.Value, entry.DefaultValue, SourceName(entry.Source), entry.Documentation);

    public static string SourceName(TopicConfigSource source) => source switch
    {
        TopicConfigSource.DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
        TopicConfigSource.DefaultConfig => "DEFAULT_CONFIG",
        _ => source.ToString(),
    };
}
