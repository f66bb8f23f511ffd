using System.Collections.Immutable;
using Orka.Storage;

namespace Orka.Broker.Topics;

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

    /// <summary>
    /// The log settings of a topic whose config is <paramref name="config"/>: the keys are parsed and
    /// range-checked by <see cref="TopicSettings.Parse"/>; unset keys keep <see cref="LogConfig.Default"/>.
    /// </summary>
    public static LogConfig ToLogConfig(ImmutableDictionary<string, string> config)
    {
        var settings = TopicSettings.Parse(config);
        var defaults = LogConfig.Default;
        var logConfig = defaults with
        {
            CleanupPolicy = settings.CleanupPolicy is { } policy ? (Orka.Storage.CleanupPolicy)policy : defaults.CleanupPolicy,
            DeleteRetentionMs = settings.DeleteRetentionMs ?? defaults.DeleteRetentionMs,
            MinCleanableDirtyRatio = settings.MinCleanableDirtyRatio ?? defaults.MinCleanableDirtyRatio,
            SegmentBytes = settings.SegmentBytes ?? defaults.SegmentBytes,
            SegmentMs = settings.SegmentMs ?? defaults.SegmentMs,
            RetentionMs = settings.RetentionMs ?? defaults.RetentionMs,
            RetentionBytes = settings.RetentionBytes ?? defaults.RetentionBytes,
            MaxMessageBytes = settings.MaxMessageBytes ?? defaults.MaxMessageBytes,
            FlushMessages = settings.FlushMessages ?? defaults.FlushMessages,
            FlushMs = settings.FlushMs ?? defaults.FlushMs,
            IndexIntervalBytes = settings.IndexIntervalBytes ?? defaults.IndexIntervalBytes,
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
}
