namespace Orka.Broker.Groups.Assignors;

/// <summary>
/// Computes a generation's assignment on the broker (the native consumer's server-side assignment).
/// Implementations are pure and deterministic: the same members and partition counts give the same
/// answer, whatever order the members arrive in. Every partition of a subscribed topic goes to
/// exactly one member subscribed to that topic; every member gets an entry, possibly empty.
/// </summary>
internal interface IPartitionAssignor
{
    /// <summary>The protocol name members ask for: <c>range</c>, <c>roundrobin</c> or <c>sticky</c>.</summary>
    string Name { get; }

    IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts);
}
