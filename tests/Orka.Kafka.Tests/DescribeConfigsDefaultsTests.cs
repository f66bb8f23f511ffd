using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Orka.Kafka.Tests;

/// <summary>DescribeConfigs lists a topic's whole config, defaults included, the way Kafka does.</summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class DescribeConfigsDefaultsTests(KafkaClusterFixture cluster)
{
    // Intent: with no keys named, every catalog key comes back: the one set on the topic with source
    // DYNAMIC_TOPIC_CONFIG and its value, every other one with its default and source DEFAULT_CONFIG.
    [Fact]
    public async Task DescribeConfigs_NoKeysNamed_ListsDefaultsWithSourceDefaultConfig()
    {
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var topic = Clients.Topic("cfg-defaults");
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = 1,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" },
        }]);

        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        var entries = (await admin.DescribeConfigsAsync([resource])).Single().Entries;

        Assert.Equal(TopicConfigCatalog.Definitions.Select(d => d.Name).Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("3600000", entries["retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, entries["retention.ms"].Source);
        foreach (var definition in TopicConfigCatalog.Definitions.Where(d => d.Name != "retention.ms"))
        {
            Assert.Equal(definition.DefaultValue, entries[definition.Name].Value);
            Assert.Equal(ConfigSource.DefaultConfig, entries[definition.Name].Source);
        }

        Assert.Equal("delete", entries["cleanup.policy"].Value);
    }
}
