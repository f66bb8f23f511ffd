using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Orka;

/// <summary>
/// Every topic config key Orka understands, with Kafka's names and defaults. The broker translates
/// these keys into the storage engine's settings (<c>Orka.Broker.Topics.TopicConfigs</c>) after <see cref="TopicSettings.Parse"/> checked them and refuses any
/// other key; clients, the Kafka listener and the CLI read the defaults and documentation from here.
/// What must stay true: each default equals the storage engine's <c>LogConfig.Default</c> (a test in
/// Orka.Broker.Tests checks it), so describing a topic reports the values its log really uses.
/// </summary>
public static class TopicConfigCatalog
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";

    /// <summary>Every key, ordered by name.</summary>
    public static ImmutableArray<TopicConfigDefinition> Definitions { get; } =
    [
        new(CleanupPolicy, "delete", "delete (drop old segments by retention.ms/retention.bytes), compact (keep the latest record per key), or compact,delete."),
        new(DeleteRetentionMs, "86400000", "How long a tombstone (a record with a null value) stays readable after compaction first rewrote it, so consumers see the delete."),
        new(FlushMessages, "9223372036854775807", "fsync the log after this many records; the default leaves it to flush.ms and the OS."),
        new(FlushMs, "9223372036854775807", "fsync the log when unflushed data is older than this many ms; the default never flushes by time."),
        new(IndexIntervalBytes, "4096", "Bytes of log between two entries of the offset and time indexes."),
        new(MaxMessageBytes, "1048588", "The largest record batch (after compression) a partition accepts."),
        new(MinCleanableDirtyRatio, "0.5", "Compaction rewrites the log only when not-yet-compacted closed segments are at least this share of all closed bytes."),
        new(RetentionBytes, "-1", "Delete the oldest closed segments while a partition's log is larger than this; -1 means no size limit."),
        new(RetentionMs, "604800000", "Delete closed segments whose newest record is older than this many ms; -1 keeps records forever."),
        new(SegmentBytes, "1073741824", "Roll the active segment when it would grow past this size (at least 1024, at most 2147483647)."),
        new(SegmentMs, "604800000", "Roll the active segment when its first batch is older than this many ms."),
    ];

    private static readonly FrozenDictionary<string, TopicConfigDefinition> ByName =
        Definitions.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="name"/>, or false when Orka does not know the key.</summary>
    public static bool TryGet(string name, out TopicConfigDefinition definition) => ByName.TryGetValue(name, out definition!);

    /// <summary>Whether Orka knows the key <paramref name="name"/>.</summary>
    public static bool Contains(string name) => ByName.ContainsKey(name);

    /// <summary>The default value of the known key <paramref name="name"/>.</summary>
    public static string DefaultOf(string name) => ByName[name].DefaultValue;

    /// <summary>
    /// A topic's full config: every catalog key with the value in effect, its default and its source,
    /// ordered by name. <paramref name="topicConfig"/> is what is set on the topic
    /// (<c>TopicMetadata.Config</c>); a key set there that the catalog does not know is listed too,
    /// with no default, so nothing set on the topic is hidden.
    /// </summary>
    public static ImmutableArray<TopicConfigEntry> Describe(IReadOnlyDictionary<string, string> topicConfig)
    {
        ArgumentNullException.ThrowIfNull(topicConfig);
        var entries = ImmutableArray.CreateBuilder<TopicConfigEntry>(Definitions.Length);
        foreach (var definition in Definitions)
        {
            entries.Add(topicConfig.TryGetValue(definition.Name, out var value)
                ? new TopicConfigEntry(definition.Name, value, definition.DefaultValue, TopicConfigSource.DynamicTopicConfig, definition.Documentation)
                : new TopicConfigEntry(definition.Name, definition.DefaultValue, definition.DefaultValue, TopicConfigSource.DefaultConfig, definition.Documentation));
        }

        foreach (var (name, value) in topicConfig)
        {
            if (!ByName.ContainsKey(name))
            {
                entries.Add(new TopicConfigEntry(name, value, null, TopicConfigSource.DynamicTopicConfig, ""));
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries.ToImmutable();
    }
}
