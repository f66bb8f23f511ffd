using System.Collections.Immutable;
using Orka.Broker.Groups.Assignors;

namespace Orka.Broker.Groups;

/// <summary>
/// Server-side assignment for Orka's native consumer (protocol type <see cref="ClassicGroup.NativeProtocolType"/>):
/// the group computes each generation's assignment itself, so no member leads it. Member metadata
/// and assignments are consumer-protocol bytes (<see cref="ConsumerProtocolCodec"/>). Kafka-protocol
/// groups are untouched: their leader still sends the assignments with SyncGroup.
/// </summary>
internal static class ServerAssignment
{
    /// <summary>
    /// Checks a native join: each protocol must name a server-side assignor and carry the same
    /// consumer-protocol subscription, of valid topic names. Returns the subscribed topics.
    /// </summary>
    public static ImmutableArray<string> Subscription(JoinGroupRequest request)
    {
        ImmutableArray<string> topics = [];
        foreach (var protocol in request.Protocols)
        {
            if (!PartitionAssignors.TryGet(protocol.Name, out _))
            {
                throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol,
                    $"Protocol type '{ClassicGroup.NativeProtocolType}' assigns on the broker with [{string.Join(", ", PartitionAssignors.Names)}]; '{protocol.Name}' is not one of them.");
            }

            if (!ConsumerProtocolCodec.TryDecodeSubscription(protocol.Metadata.Span, out var subscription))
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"The metadata of protocol '{protocol.Name}' is not a consumer-protocol subscription.");
            }

            foreach (var topic in subscription.Topics)
            {
                Names.ValidateTopicName(topic);
            }

            topics = topics.AddRange(subscription.Topics);
        }

        return [.. topics.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Every member's assignment, encoded, computed by the assignor named <paramref name="protocol"/>.</summary>
    public static Dictionary<string, ReadOnlyMemory<byte>> Assign(
        string protocol, IEnumerable<GroupMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        if (!PartitionAssignors.TryGet(protocol, out var assignor))
        {
            // Cannot happen: every native join was checked against the assignor names.
            throw new InvalidOperationException($"No assignor named '{protocol}'.");
        }

        var subscribers = members.Select(m =>
        {
            ConsumerProtocolCodec.TryDecodeSubscription(m.MetadataFor(protocol).Span, out var subscription);
            return new AssignorMember(m.Id, subscription.Topics, subscription.OwnedPartitions, subscription.GenerationId);
        }).ToList();
        var assignment = assignor.Assign(subscribers, partitionCounts);
        return subscribers.ToDictionary(
            m => m.MemberId, m => (ReadOnlyMemory<byte>)ConsumerProtocolCodec.EncodeAssignment(assignment[m.MemberId]), StringComparer.Ordinal);
    }
}
