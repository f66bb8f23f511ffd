using System.Globalization;

namespace Orka;

/// <summary>
/// A topic's config keys parsed and range-checked: the value of every key set on the topic, null
/// for a key left at its default. <see cref="Parse"/> is the one validation of topic config, used
/// when a topic is created or altered (also in validate-only requests); the broker turns the result
/// into the log engine's settings.
/// </summary>
public sealed record TopicSettings
{
    /// <summary>The smallest batch a partition can accept: one RecordBatch v2 header (61 bytes).</summary>
    public const int MinMaxMessageBytes = 61;

    public TopicCleanupPolicy? CleanupPolicy { get; init; }

    public long? DeleteRetentionMs { get; init; }

    public double? MinCleanableDirtyRatio { get; init; }

    public long? SegmentBytes { get; init; }

    public long? SegmentMs { get; init; }

    public long? RetentionMs { get; init; }

    public long? RetentionBytes { get; init; }

    public int? MaxMessageBytes { get; init; }

    public long? FlushMessages { get; init; }

    public long? FlushMs { get; init; }

    public int? IndexIntervalBytes { get; init; }

    /// <summary>
    /// Parses <paramref name="config"/>; throws <see cref="OrkaException"/> (InvalidConfig) naming the
    /// first unknown key or bad value.
    /// </summary>
    public static TopicSettings Parse(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var key in config.Keys)
        {
            if (!TopicConfigCatalog.Contains(key))
            {
                throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Unknown topic config '{key}'. Known: {string.Join(", ", TopicConfigCatalog.Definitions.Select(d => d.Name))}.");
            }
        }

        return new TopicSettings
        {
            CleanupPolicy = Policy(config),
            DeleteRetentionMs = Long(config, TopicConfigCatalog.DeleteRetentionMs, min: 0),
            MinCleanableDirtyRatio = Ratio(config, TopicConfigCatalog.MinCleanableDirtyRatio),
            // Positions in the offset index are int32, so a segment cannot pass 2 GiB (Kafka's limit too).
            SegmentBytes = Long(config, TopicConfigCatalog.SegmentBytes, min: 1024, max: int.MaxValue),
            SegmentMs = Long(config, TopicConfigCatalog.SegmentMs, min: 1),
            RetentionMs = Long(config, TopicConfigCatalog.RetentionMs, min: -1),
            RetentionBytes = Long(config, TopicConfigCatalog.RetentionBytes, min: -1),
            MaxMessageBytes = (int?)Long(config, TopicConfigCatalog.MaxMessageBytes, min: MinMaxMessageBytes, max: int.MaxValue),
            FlushMessages = Long(config, TopicConfigCatalog.FlushMessages, min: 1),
            FlushMs = Long(config, TopicConfigCatalog.FlushMs, min: 0),
            IndexIntervalBytes = (int?)Long(config, TopicConfigCatalog.IndexIntervalBytes, min: 0, max: int.MaxValue),
        };
    }

    /// <summary><c>cleanup.policy</c>: <c>delete</c>, <c>compact</c>, or both comma-separated.</summary>
    private static TopicCleanupPolicy? Policy(IReadOnlyDictionary<string, string> config)
    {
        if (!config.TryGetValue(TopicConfigCatalog.CleanupPolicy, out var text))
        {
            return null;
        }

        var policy = default(TopicCleanupPolicy);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            policy |= part switch
            {
                "delete" => TopicCleanupPolicy.Delete,
                "compact" => TopicCleanupPolicy.Compact,
                _ => throw new OrkaException(OrkaErrorCode.InvalidConfig, $"cleanup.policy '{text}' is not delete, compact or compact,delete."),
            };
        }

        return policy;
    }

    private static double? Ratio(IReadOnlyDictionary<string, string> config, string key)
    {
        if (!config.TryGetValue(key, out var text))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Topic config {key}={text} is not a number in [0, 1].");
    }

    private static long? Long(IReadOnlyDictionary<string, string> config, string key, long min, long max = long.MaxValue)
    {
        if (!config.TryGetValue(key, out var text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Topic config {key}={text} is not a whole number in [{min}, {max}].");
        }

        return value;
    }
}
