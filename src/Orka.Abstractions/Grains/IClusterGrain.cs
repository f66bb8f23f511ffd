using System.Collections.Immutable;

namespace Orka.Grains;

/// <summary>The cluster-wide registry (one activation, key 0): the topic list and the node list.</summary>
[Alias("Orka.IClusterGrain")]
public interface IClusterGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the one cluster grain.</summary>
    const long Key = 0;

    [Alias("ListTopics")]
    Task<ImmutableArray<string>> ListTopicsAsync();

    [Alias("AddTopic")]
    Task AddTopicAsync(string topic);

    /// <summary>Removes the topic from the list and remembers its id as deleted.</summary>
    [Alias("RemoveTopic")]
    Task RemoveTopicAsync(string topic, Guid topicId);

    /// <summary>Topics deleted so far (name and id), oldest first.</summary>
    [Alias("ListDeletedTopics")]
    Task<ImmutableArray<DeletedTopic>> ListDeletedTopicsAsync();

    /// <summary>The nodes the cluster's membership knows, live ones first.</summary>
    [Alias("ListNodes")]
    Task<ImmutableArray<NodeInfo>> ListNodesAsync();
}
