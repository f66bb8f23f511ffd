namespace Orka.Grains;

/// <summary>One topic (key: the topic name): its config and which node holds each partition.</summary>
[Alias("Orka.ITopicGrain")]
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>Creates the topic, spreading its partitions over the live nodes.</summary>
    [Alias("Create")]
    Task<TopicMetadata> CreateAsync(TopicSpec spec);

    /// <summary>The topic's metadata, or null when it does not exist.</summary>
    [Alias("GetMetadata"), Orleans.Concurrency.AlwaysInterleave]
    Task<TopicMetadata?> GetMetadataAsync();

    /// <summary>Metadata plus every partition's node and offsets.</summary>
    [Alias("Describe")]
    Task<TopicDescription> DescribeAsync();

    /// <summary>
    /// Replaces the topic's config (validated first; nothing changes on error) and applies it to the
    /// running partition logs.
    /// </summary>
    [Alias("AlterConfig")]
    Task<TopicMetadata> AlterConfigAsync(System.Collections.Immutable.ImmutableDictionary<string, string> config);

    /// <summary>
    /// Grows the topic to <paramref name="totalPartitions"/> partitions; each new partition goes to the
    /// live node holding the fewest partitions (of all topics) at that moment.
    /// </summary>
    [Alias("AddPartitions")]
    Task<TopicMetadata> AddPartitionsAsync(int totalPartitions);

    /// <summary>Deletes the topic and its data on every node that is up.</summary>
    [Alias("Delete")]
    Task DeleteAsync();
}
