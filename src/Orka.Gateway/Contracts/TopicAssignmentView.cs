namespace Orka.Gateway.Contracts;

/// <summary>The partitions of one topic assigned to a member.</summary>
public sealed record TopicAssignmentView(string Topic, IReadOnlyList<int> Partitions);
