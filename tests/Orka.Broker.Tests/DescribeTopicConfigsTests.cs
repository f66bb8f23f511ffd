using Orka.Client;

namespace Orka.Broker.Tests;

/// <summary>OrkaAdmin.DescribeTopicConfigsAsync against the two-silo cluster.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class DescribeTopicConfigsTests(ClusterFixture fixture)
{
    // Intent: a topic's full config follows create and alter: set keys are DynamicTopicConfig with their
    // value, a removed key is back to DefaultConfig with the default, every catalog key is listed.
    [Fact]
    public async Task DescribeTopicConfigs_AfterCreateAndAlter_ReportsValuesDefaultsAndSources()
    {
        var admin = new OrkaAdmin(fixture.Cluster.Client);
        await admin.CreateTopicAsync("described-configs", 1, new Dictionary<string, string> { ["retention.ms"] = "60000", ["cleanup.policy"] = "compact" });

        var created = (await admin.DescribeTopicConfigsAsync("described-configs")).ToDictionary(e => e.Name);
        Assert.Equal(TopicConfigCatalog.Definitions.Select(d => d.Name).Order(StringComparer.Ordinal), created.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("60000", "604800000", TopicConfigSource.DynamicTopicConfig), (created["retention.ms"].Value, created["retention.ms"].DefaultValue, created["retention.ms"].Source));
        Assert.Equal(("compact", TopicConfigSource.DynamicTopicConfig), (created["cleanup.policy"].Value, created["cleanup.policy"].Source));
        Assert.Equal(("1073741824", TopicConfigSource.DefaultConfig), (created["segment.bytes"].Value, created["segment.bytes"].Source));

        await admin.AlterTopicConfigAsync("described-configs", new Dictionary<string, string> { ["segment.bytes"] = "1048576" }, ["cleanup.policy"]);

        var altered = (await admin.DescribeTopicConfigsAsync("described-configs")).ToDictionary(e => e.Name);
        Assert.Equal(("1048576", TopicConfigSource.DynamicTopicConfig), (altered["segment.bytes"].Value, altered["segment.bytes"].Source));
        Assert.Equal(("delete", TopicConfigSource.DefaultConfig), (altered["cleanup.policy"].Value, altered["cleanup.policy"].Source));
        Assert.Equal("60000", altered["retention.ms"].Value);
    }

    // Intent: a topic that does not exist is UnknownTopicOrPartition, not an empty config.
    [Fact]
    public async Task DescribeTopicConfigs_UnknownTopic_UnknownTopicOrPartition()
    {
        var e = await Assert.ThrowsAsync<OrkaException>(() => new OrkaAdmin(fixture.Cluster.Client).DescribeTopicConfigsAsync("no-such-topic-cfg"));

        Assert.Equal(OrkaErrorCode.UnknownTopicOrPartition, e.Code);
    }
}
