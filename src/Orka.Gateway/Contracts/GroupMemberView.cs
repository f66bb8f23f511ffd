namespace Orka.Gateway.Contracts;

/// <summary>A group member and the partitions assigned to it (decoded when it runs Kafka's consumer protocol).</summary>
public sealed record GroupMemberView(string MemberId, string ClientId, IReadOnlyList<TopicAssignmentView> Assignment);
