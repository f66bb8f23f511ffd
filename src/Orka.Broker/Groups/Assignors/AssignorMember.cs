using System.Collections.Immutable;

namespace Orka.Broker.Groups.Assignors;

/// <summary>
/// A group member as an assignor sees it: its id, the topics it subscribes to, and the partitions it
/// owned in generation <see cref="OwnedGeneration"/> (what a sticky assignment tries to keep).
/// </summary>
internal sealed record AssignorMember(
    string MemberId,
    ImmutableArray<string> Topics,
    ImmutableArray<TopicPartition> Owned,
    int OwnedGeneration = -1);
