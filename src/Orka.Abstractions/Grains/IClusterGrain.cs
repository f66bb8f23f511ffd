using System.Collections.Immutable;

namespace Orka.Grains;

/// <summary>The cluster-wide registry (one activation, key 0): the topic list, the consumer group list and the node list.</summary>
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

    /// <summary>
    /// Records that a consumer group exists (it got a member or a commit). Idempotent; persisted.
    /// Groups call this themselves; there is no need to call it from a client.
    /// </summary>
    [Alias("AddGroup")]
    Task AddGroupAsync(string groupId);

    /// <summary>Forgets a consumer group (deleted, or its offsets expired). Idempotent; persisted.</summary>
    [Alias("RemoveGroup")]
    Task RemoveGroupAsync(string groupId);

    /// <summary>
    /// Kafka's ListGroups: every known group with its current state, sorted by id. Asks each group
    /// grain for its state (one call per group, in parallel, which activates idle groups), and
    /// forgets groups that turn out to hold neither members nor offsets.
    /// </summary>
    [Alias("ListGroups")]
    Task<ImmutableArray<GroupListing>> ListGroupsAsync();
}
