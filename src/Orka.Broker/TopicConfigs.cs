using System.Collections.Immutable;
using System.Globalization;
using Orka.Records;
using Orka.Storage;

namespace Orka.Broker;

/// <summary>
/// The translation of the topic config keys Orka understands (<see cref="TopicConfigCatalog"/>, Kafka's
/// names) into the storage engine's <see cref="LogConfig"/>. Unknown keys and bad values are refused at create time,
/// so a topic never carries config that silently does nothing.
/// </summary>
public static class TopicConfigs
{
    public const string SegmentBytes = TopicConfigCatalog.SegmentBytes;
    public const string SegmentMs = TopicConfigCatalog.SegmentMs;
    public const string RetentionMs = TopicConfigCatalog.RetentionMs;
    public const string RetentionBytes = TopicConfigCatalog.RetentionBytes;
    public const string MaxMessageBytes = TopicConfigCatalog.MaxMessageBytes;
    public const string FlushMessages = TopicConfigCatalog.FlushMessages;
    public const string FlushMs = TopicConfigCatalog.FlushMs;
    public const string IndexIntervalBytes = TopicConfigCatalog.IndexIntervalBytes;
    public const string CleanupPolicy = TopicConfigCatalog.CleanupPolicy;
    public const string DeleteRetentionMs = TopicConfigCatalog.DeleteRetentionMs;
    public const string MinCleanableDirtyRatio = TopicConfigCatalog.MinCleanableDirtyRatio;

    /// <summary>Throws <see cref="OrkaException"/> (InvalidConfig) for an unknown key or a bad value.</summary>
    public static void Validate(ImmutableDictionary<string, string> config) => _ = ToLogConfig(config);

    public static LogConfig ToLogConfig(ImmutableDictionary<string, string> config)
    {
        foreach (var key in config.Keys)
        {
            if (!TopicConfigCatalog.Contains(key))
            {
                throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Unknown topic config '{key}'. Known: {string.Join(", ", TopicConfigCatalog.Definitions.Select(d => d.Name))}.");
            }
        }

        var defaults = LogConfig.Default;
        var logConfig = defaults with
        {
            CleanupPolicy = Policy(config),
            DeleteRetentionMs = Long(config, DeleteRetentionMs, defaults.DeleteRetentionMs, min: 0),
            MinCleanableDirtyRatio = Ratio(config, MinCleanableDirtyRatio, defaults.MinCleanableDirtyRatio),
            SegmentBytes = Long(config, SegmentBytes, defaults.SegmentBytes, min: 1024),
            SegmentMs = Long(config, SegmentMs, defaults.SegmentMs, min: 1),
            RetentionMs = Long(config, RetentionMs, defaults.RetentionMs, min: -1),
            RetentionBytes = Long(config, RetentionBytes, defaults.RetentionBytes, min: -1),
            MaxMessageBytes = (int)Long(config, MaxMessageBytes, defaults.MaxMessageBytes, min: 0, max: int.MaxValue),
            FlushMessages = Long(config, FlushMessages, defaults.FlushMessages, min: 1),
            FlushMs = Long(config, FlushMs, defaults.FlushMs, min: 0),
            IndexIntervalBytes = (int)Long(config, IndexIntervalBytes, defaults.IndexIntervalBytes, min: 0, max: int.MaxValue),
        };
        try
        {
            logConfig.Validate();
        }
        catch (ArgumentException e)
        {
            throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Topic config refused by the log: {e.Message}");
        }

        return logConfig;
    }

    /// <summary><c>cleanup.policy</c>: <c>delete</c>, <c>compact</c>, or both comma-separated.</summary>
    private static Orka.Storage.CleanupPolicy Policy(ImmutableDictionary<string, string> config)
    {
        if (!config.TryGetValue(CleanupPolicy, out var text))
        {
            return Orka.Storage.CleanupPolicy.Delete;
        }

        var policy = default(Orka.Storage.CleanupPolicy);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            policy |= part switch
            {
                "delete" => Orka.Storage.CleanupPolicy.Delete,
                "compact" => Orka.Storage.CleanupPolicy.Compact,
                _ => throw new OrkaException(OrkaErrorCode.InvalidConfig, $"cleanup.policy '{text}' is not delete, compact or compact,delete."),
            };
        }

        return policy;
    }

    private static double Ratio(ImmutableDictionary<string, string> config, string key, double fallback)
    {
        if (!config.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Topic config {key}={text} is not a number in [0, 1].");
    }

    private static long Long(ImmutableDictionary<string, string> config, string key, long fallback, long min, long max = long.MaxValue)
    {
        if (!config.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new OrkaException(OrkaErrorCode.InvalidConfig, $"Topic config {key}={text} is not a whole number in [{min}, {max}].");
        }

        return value;
    }
}
