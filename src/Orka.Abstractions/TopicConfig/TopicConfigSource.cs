namespace Orka;

/// <summary>Where a topic config value comes from; the numbers are Kafka's (DescribeConfigs' <c>ConfigSource</c>).</summary>
public enum TopicConfigSource : sbyte
{
    /// <summary>DYNAMIC_TOPIC_CONFIG: set on the topic (at create time or by alter).</summary>
    DynamicTopicConfig = 1,

    /// <summary>DEFAULT_CONFIG: not set on the topic; the catalog's default applies.</summary>
    DefaultConfig = 5,
}
