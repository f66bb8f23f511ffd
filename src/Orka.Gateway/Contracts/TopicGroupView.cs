namespace Orka.Gateway.Contracts;

/// <summary>A consumer group that consumes a topic: its state, its lag on that topic (total and per partition) and when the lag was read.</summary>
public sealed record TopicGroupView(string GroupId, GroupState State, long TotalLag, DateTimeOffset At, IReadOnlyList<GroupOffsetView> Partitions);
