using System.Collections.Immutable;
using Orka.Broker.Groups.Assignors;

namespace Orka.Broker.Groups;

// Server-side assignment for Orka's native consumer (protocol type "orka"): the group computes each
// generation's assignment itself, so no member leads it. Kafka-protocol groups are untouched: their
// leader still sends the assignments with SyncGroup.
internal sealed partial class ConsumerGroupGrain
{
    // Partition count of every topic a native member subscribes to, refreshed at each native join
    // (a topic that grows is picked up at the next rebalance; 0 for a topic that does not exist yet).
    private readonly Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks a native join: each protocol must name a server-side assignor and carry the same
    /// consumer-protocol subscription, of valid topic names. Returns the subscribed topics.
    /// </summary>
    private static ImmutableArray<string> NativeSubscription(JoinGroupRequest request)
    {
        ImmutableArray<string> topics = [];
        foreach (var protocol in request.Protocols)
        {
            if (!PartitionAssignors.TryGet(protocol.Name, out _))
            {
                throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol,
                    $"Protocol type '{NativeProtocolType}' assigns on the broker with [{string.Join(", ", PartitionAssignors.Names)}]; '{protocol.Name}' is not one of them.");
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

    private async Task RefreshPartitionCountsAsync(ImmutableArray<string> topics)
    {
        var metadata = await Task.WhenAll(topics.Select(t => GrainFactory.GetGrain<ITopicGrain>(t).GetMetadataAsync()));
        for (var i = 0; i < topics.Length; i++)
        {
            _partitionCounts[topics[i]] = metadata[i]?.PartitionCount ?? 0;
        }
    }

    /// <summary>Computes this generation's assignment with the chosen assignor; the group is Stable at once.</summary>
    private void AssignOnServer()
    {
        if (!PartitionAssignors.TryGet(_protocol!, out var assignor))
        {
            // Cannot happen: every native join was checked against the assignor names.
            throw new InvalidOperationException($"No assignor named '{_protocol}'.");
        }

        var members = _members.Values.Select(m =>
        {
            ConsumerProtocolCodec.TryDecodeSubscription(m.MetadataFor(_protocol!).Span, out var subscription);
            return new AssignorMember(m.Id, subscription.Topics, subscription.OwnedPartitions, subscription.GenerationId);
        }).ToList();
        var assignment = assignor.Assign(members, _partitionCounts);
        foreach (var member in _members.Values)
        {
            member.Assignment = ConsumerProtocolCodec.EncodeAssignment(assignment[member.Id]);
            member.Synced = true;
        }

        _state = GroupState.Stable;
    }
}
