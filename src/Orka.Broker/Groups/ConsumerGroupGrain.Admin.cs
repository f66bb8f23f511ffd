using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Orka.Broker.Groups;

// Administration: the cluster's group registry, delete, lag and offset resets.
internal sealed partial class ConsumerGroupGrain
{
    /// <summary>The protocol type of Kafka consumers, whose assignments are consumer-protocol bytes.</summary>
    public const string ConsumerProtocolType = "consumer";

    /// <summary>The protocol type of Orka's native consumer: the group computes the assignment itself.</summary>
    public const string NativeProtocolType = "orka";

    // Whether this activation has told the cluster grain the group exists. Cleared when the
    // registry forgets the group (see GetListingAsync) so that the group registers again.
    private bool _registered;

    /// <summary>Members, pending joins or offsets: the group exists as far as Kafka's ListGroups is concerned.</summary>
    private bool Exists => _members.Count > 0 || _pendingMembers.Count > 0 || state.State.Offsets.Count > 0;

    public Task<GroupListing?> GetListingAsync()
    {
        var groupId = GroupId();
        if (!Exists)
        {
            _registered = false;
            return Task.FromResult<GroupListing?>(null);
        }

        return Task.FromResult<GroupListing?>(new GroupListing(groupId, _state, _members.Count > 0 ? _protocolType ?? "" : ""));
    }

    public async Task DeleteAsync()
    {
        var groupId = GroupId();
        if (_members.Count > 0)
        {
            throw new OrkaException(OrkaErrorCode.NonEmptyGroup, $"Group '{groupId}' has {_members.Count} active members; stop its consumers before deleting it.");
        }

        if (state.State.Offsets.Count == 0)
        {
            throw new OrkaException(OrkaErrorCode.GroupIdNotFound, $"Group '{groupId}' does not exist.");
        }

        state.State.Offsets.Clear();
        state.State.CommittedAt.Clear();
        state.State.EmptySince = null;
        await PersistAsync(clear: true);
        _registered = false;
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RemoveGroupAsync(groupId);
        logger.LogInformation("Deleted group {Group}", groupId);
    }

    public async Task<ImmutableArray<PartitionLag>> GetLagAsync()
    {
        GroupId();

        // Snapshot what the group knows before the first await: calls interleave with this one.
        var committed = state.State.Offsets.Values.ToDictionary(o => o.Partition, o => o.Offset);
        var owners = CurrentOwners();
        var topics = committed.Keys.Concat(owners.Keys).Select(p => p.Topic).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var metadata = await Task.WhenAll(topics.Select(t => GrainFactory.GetGrain<ITopicGrain>(t).GetMetadataAsync()));
        var partitions = new SortedSet<TopicPartition>(committed.Keys.Concat(owners.Keys), PartitionOrder.Instance);
        foreach (var topic in metadata.OfType<TopicMetadata>())
        {
            for (var p = 0; p < topic.PartitionCount; p++)
            {
                partitions.Add(new TopicPartition(topic.Name, p));
            }
        }

        var existing = metadata.OfType<TopicMetadata>().ToDictionary(m => m.Name, m => m.PartitionCount, StringComparer.Ordinal);
        var lags = await Task.WhenAll(partitions.Select(async tp =>
        {
            var offset = committed.GetValueOrDefault(tp, -1);
            var owner = owners.GetValueOrDefault(tp);
            if (!existing.TryGetValue(tp.Topic, out var count) || tp.Partition >= count)
            {
                return new PartitionLag(tp, offset, -1, -1, owner);
            }

            try
            {
                var log = await GrainFactory.GetPartitionGrain(tp).GetOffsetsAsync();
                var lag = Math.Max(0, log.LogEndOffset - (offset >= 0 ? offset : log.LogStartOffset));
                return new PartitionLag(tp, offset, log.LogEndOffset, lag, owner);
            }
            catch (OrkaException e) when (e.IsRetriable)
            {
                // The partition's node is down: the committed offset is still worth showing.
                return new PartitionLag(tp, offset, -1, -1, owner);
            }
        }));
        return [.. lags];
    }

    public async Task<ImmutableArray<CommittedOffset>> ResetOffsetsAsync(OffsetResetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var groupId = GroupId();
        Names.ValidateTopicName(request.Topic);
        if (!Enum.IsDefined(request.Kind))
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Unknown offset reset kind {(int)request.Kind}.");
        }

        if (request.Kind == OffsetResetKind.Timestamp && request.Value < 0)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Timestamp {request.Value} is negative; give milliseconds since the epoch.");
        }

        EnsureEmptyForReset(groupId);
        var metadata = await GrainFactory.GetGrain<ITopicGrain>(request.Topic).GetMetadataAsync()
            ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{request.Topic}' does not exist.");
        var numbers = request.Partitions.IsDefaultOrEmpty ? [.. Enumerable.Range(0, metadata.PartitionCount)] : request.Partitions;
        var unknown = numbers.Where(p => p < 0 || p >= metadata.PartitionCount).ToList();
        if (unknown.Count > 0)
        {
            throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition,
                $"Topic '{request.Topic}' has partitions 0 to {metadata.PartitionCount - 1}; {string.Join(", ", unknown)} is not one of them.");
        }

        var offsets = await Task.WhenAll(numbers.Distinct().Order().Select(async p =>
        {
            var tp = new TopicPartition(request.Topic, p);
            return new CommittedOffset(tp, await ResolveResetAsync(tp, request));
        }));

        // Members may have joined while the partitions answered: check again before anything moves.
        EnsureEmptyForReset(groupId);
        var now = time.GetUtcNow();
        foreach (var offset in offsets)
        {
            state.State.Offsets[offset.Partition.ToGrainKey()] = offset;
            state.State.CommittedAt[offset.Partition.ToGrainKey()] = now;
        }

        state.State.EmptySince ??= now;
        await PersistAsync();
        await EnsureRegisteredAsync();
        logger.LogInformation("Group {Group} reset {Count} offsets of topic {Topic} to {Kind} {Value}", groupId, offsets.Length, request.Topic, request.Kind, request.Value);
        return [.. offsets];
    }

    private void EnsureEmptyForReset(string groupId)
    {
        if (_members.Count > 0)
        {
            throw new OrkaException(OrkaErrorCode.NonEmptyGroup,
                $"Group '{groupId}' has {_members.Count} active members; offsets can only be reset while the group is empty. Stop its consumers and try again.");
        }
    }

    private async Task<long> ResolveResetAsync(TopicPartition tp, OffsetResetRequest request)
    {
        var partition = GrainFactory.GetPartitionGrain(tp);
        switch (request.Kind)
        {
            case OffsetResetKind.Earliest:
                return (await partition.GetOffsetsAsync()).LogStartOffset;
            case OffsetResetKind.Latest:
                return (await partition.GetOffsetsAsync()).LogEndOffset;
            case OffsetResetKind.Timestamp:
                var found = await partition.ListOffsetAsync(request.Value);
                return found >= 0 ? found : (await partition.GetOffsetsAsync()).LogEndOffset;
            default:
                var log = await partition.GetOffsetsAsync();
                if (request.Value < log.LogStartOffset || request.Value > log.LogEndOffset)
                {
                    throw new OrkaException(OrkaErrorCode.OffsetOutOfRange,
                        $"Offset {request.Value} is outside partition {tp}'s log [{log.LogStartOffset}, {log.LogEndOffset}].");
                }

                return request.Value;
        }
    }

    /// <summary>Tells the cluster grain this group exists, once per activation (or after it was forgotten).</summary>
    private async Task EnsureRegisteredAsync()
    {
        if (!_registered)
        {
            await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).AddGroupAsync(GroupId());
            _registered = true;
        }
    }

    /// <summary>Which member owns each partition in the current generation, read from the consumer-protocol assignments.</summary>
    private Dictionary<TopicPartition, string> CurrentOwners()
    {
        var owners = new Dictionary<TopicPartition, string>();
        if (_state != GroupState.Stable || _protocolType is not (ConsumerProtocolType or NativeProtocolType))
        {
            return owners;
        }

        foreach (var member in _members.Values)
        {
            if (ConsumerProtocolCodec.TryDecodeAssignment(member.Assignment.Span, out var partitions))
            {
                foreach (var tp in partitions)
                {
                    owners[tp] = member.Id;
                }
            }
        }

        return owners;
    }

    private sealed class PartitionOrder : IComparer<TopicPartition>
    {
        public static readonly PartitionOrder Instance = new();

        public int Compare(TopicPartition x, TopicPartition y)
        {
            var byTopic = string.CompareOrdinal(x.Topic, y.Topic);
            return byTopic != 0 ? byTopic : x.Partition.CompareTo(y.Partition);
        }
    }
}
