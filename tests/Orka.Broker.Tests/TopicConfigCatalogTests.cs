using System.Collections.Immutable;
using Orka.Broker.Topics;
using Orka.Storage;

namespace Orka.Broker.Tests;

/// <summary>The topic config catalog agrees with what the broker and the storage engine really do.</summary>
public sealed class TopicConfigCatalogTests
{
    // Intent: a topic that sets every key to the catalog's default gets exactly LogConfig.Default, so the
    // defaults that describe commands report can never drift from the log's real ones.
    [Fact]
    public void CatalogDefaults_AppliedToEveryKey_EqualLogConfigDefault()
    {
        var everyDefault = TopicConfigCatalog.Definitions.ToImmutableDictionary(d => d.Name, d => d.DefaultValue);

        Assert.Equal(LogConfig.Default, TopicConfigs.ToLogConfig(everyDefault));
    }

    // Intent: every catalog key is one the broker translates: setting it to a non-default value changes the log's config.
    [Fact]
    public void CatalogKeys_EachSetToAnotherValue_ChangeTheLogConfig()
    {
        foreach (var definition in TopicConfigCatalog.Definitions)
        {
            var other = definition.Name switch
            {
                TopicConfigCatalog.CleanupPolicy => "compact",
                TopicConfigCatalog.MinCleanableDirtyRatio => "0.25",
                _ => "2048",
            };
            var config = TopicConfigs.ToLogConfig(ImmutableDictionary<string, string>.Empty.Add(definition.Name, other));
            Assert.True(config != LogConfig.Default, $"{definition.Name}={other} left the log config at its default");
        }
    }

    // Intent: a key outside the catalog is refused with InvalidConfig, naming the known keys.
    [Fact]
    public void Validate_KeyOutsideCatalog_RefusedNamingKnownKeys()
    {
        var e = Assert.Throws<OrkaException>(() => TopicConfigs.Validate(ImmutableDictionary<string, string>.Empty.Add("no.such.key", "1")));

        Assert.Equal(OrkaErrorCode.InvalidConfig, e.Code);
        Assert.Contains(TopicConfigCatalog.RetentionMs, e.Message, StringComparison.Ordinal);
    }

    // Intent: Describe lists every key in name order, the set one as DynamicTopicConfig with its value and default, the rest as DefaultConfig.
    [Fact]
    public void Describe_OneKeySet_SetKeyDynamicOthersDefault()
    {
        var entries = TopicConfigCatalog.Describe(ImmutableDictionary<string, string>.Empty.Add(TopicConfigCatalog.RetentionMs, "1000"));

        Assert.Equal(TopicConfigCatalog.Definitions.Select(d => d.Name), entries.Select(e => e.Name));
        var retention = Assert.Single(entries, e => e.Source == TopicConfigSource.DynamicTopicConfig);
        Assert.Equal((TopicConfigCatalog.RetentionMs, "1000", "604800000"), (retention.Name, retention.Value, retention.DefaultValue));
        Assert.All(entries.Where(e => e != retention), e =>
        {
            Assert.Equal(TopicConfigSource.DefaultConfig, e.Source);
            Assert.Equal(e.DefaultValue, e.Value);
            Assert.NotEmpty(e.Documentation);
        });
    }
}
