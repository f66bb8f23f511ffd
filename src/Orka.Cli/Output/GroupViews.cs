namespace Orka.Cli.Output;

// The JSON/YAML shapes of `orka groups list|describe` (field names camelCase; documented in the README).

/// <summary>One row of <c>orka groups list</c>.</summary>
internal sealed record GroupListView(string GroupId, GroupState State, string ProtocolType);

/// <summary><c>orka groups describe</c>.</summary>
internal sealed record GroupDescriptionView(
    string GroupId,
    GroupState State,
    string ProtocolType,
    string Protocol,
    int Generation,
    string Leader,
    IReadOnlyList<GroupMemberView> Members,
    IReadOnlyList<GroupPartitionView> Partitions);

/// <summary>
/// A member of a described group. <c>assignment</c> lists its partitions by topic; it is null when the
/// member's assignment is not in the consumer protocol's format.
/// </summary>
internal sealed record GroupMemberView(string MemberId, string ClientId, IReadOnlyList<TopicPartitionsView>? Assignment);

/// <summary>Partitions of one topic.</summary>
internal sealed record TopicPartitionsView(string Topic, IReadOnlyList<int> Partitions);

/// <summary>A partition a group has offsets in or is assigned; null where there is no committed offset or the node did not answer.</summary>
internal sealed record GroupPartitionView(string Topic, int Partition, long? CommittedOffset, long? LogEndOffset, long? Lag, string? MemberId);
