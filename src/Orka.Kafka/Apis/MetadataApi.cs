using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// Metadata (key 3) v0-12: the live brokers (node id, advertised endpoint), the controller (the
/// lowest live node id), and per partition its leader, which is the node holding it. A partition
/// whose node is down has no leader (LEADER_NOT_AVAILABLE) until the node returns, since Orka keeps
/// one copy. Topics are not created by Metadata requests; a missing topic is UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public sealed class MetadataApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.Metadata;

    public override short MinVersion => 0;

    public override short MaxVersion => 12;

    public override short FirstFlexibleVersion => 9;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var requested = new List<(string? Name, Guid Id)>();
        var count = request.ReadArrayLength();
        for (var i = 0; i < count; i++)
        {
            var id = version >= 10 ? request.ReadUuid() : Guid.Empty;
            var name = version >= 10 ? request.ReadNullableString() : request.ReadString();
            request.SkipTaggedFields();
            requested.Add((name, id));
        }

        if (version >= 4)
        {
            _ = request.ReadBool(); // allow auto topic creation: Orka creates topics only when asked
        }

        if (version is >= 8 and <= 10)
        {
            _ = request.ReadBool();
        }

        if (version >= 8)
        {
            _ = request.ReadBool();
        }

        request.SkipTaggedFields();

        // v0: an empty list means every topic; v1+: null means every topic.
        var all = count == -1 || (version == 0 && count == 0);
        var brokers = await context.Brokers.GetLiveBrokersAsync();
        var live = brokers.Select(b => b.NodeId).ToHashSet();
        var topics = new List<(string? Name, Guid Id, TopicMetadata? Metadata, OrkaErrorCode Error)>();
        if (all)
        {
            var names = await context.Grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();
            var found = await Task.WhenAll(names.Select(n => context.Grains.GetGrain<ITopicGrain>(n).GetMetadataAsync()));
            foreach (var m in found)
            {
                if (m is not null)
                {
                    topics.Add((m.Name, m.TopicId, m, OrkaErrorCode.None));
                }
            }
        }
        else
        {
            foreach (var (name, id) in requested)
            {
                topics.Add(await LookUpAsync(name, id));
            }
        }

        if (version >= 3)
        {
            response.WriteInt32(0); // throttle
        }

        response.WriteArray(brokers, (w, b) =>
        {
            w.WriteInt32(b.NodeId);
            w.WriteString(b.Host);
            w.WriteInt32(b.Port);
            if (version >= 1)
            {
                w.WriteNullableString(null); // rack
            }

            w.WriteEmptyTaggedFields();
        });
        if (version >= 2)
        {
            response.WriteNullableString(context.Brokers.ClusterId);
        }

        if (version >= 1)
        {
            response.WriteInt32(brokers.IsEmpty ? -1 : brokers.Min(b => b.NodeId));
        }

        response.WriteArray(topics, (w, t) => WriteTopic(w, version, t.Name, t.Id, t.Metadata, t.Error, live));
        if (version is >= 8 and <= 10)
        {
            response.WriteInt32(int.MinValue); // cluster authorized operations: not computed
        }

        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(string? Name, Guid Id, TopicMetadata? Metadata, OrkaErrorCode Error)> LookUpAsync(string? name, Guid id)
    {
        if (name is null)
        {
            // v10+ may name a topic by id only.
            var names = await context.Grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();
            foreach (var candidate in names)
            {
                if (await context.Grains.GetGrain<ITopicGrain>(candidate).GetMetadataAsync() is { } m && m.TopicId == id)
                {
                    return (m.Name, m.TopicId, m, OrkaErrorCode.None);
                }
            }

            return (null, id, null, OrkaErrorCode.UnknownTopicId);
        }

        if (Names.TopicNameError(name) is not null)
        {
            return (name, Guid.Empty, null, OrkaErrorCode.InvalidTopic);
        }

        var metadata = await context.Grains.GetGrain<ITopicGrain>(name).GetMetadataAsync();
        return metadata is null ? (name, Guid.Empty, null, OrkaErrorCode.UnknownTopicOrPartition) : (name, metadata.TopicId, metadata, OrkaErrorCode.None);
    }

    private static void WriteTopic(KafkaWriter w, short version, string? name, Guid id, TopicMetadata? metadata, OrkaErrorCode error, HashSet<int> live)
    {
        w.WriteInt16((short)error);
        if (version >= 12)
        {
            w.WriteNullableString(name);
        }
        else
        {
            w.WriteString(name ?? "");
        }

        if (version >= 10)
        {
            w.WriteUuid(id);
        }

        if (version >= 1)
        {
            w.WriteBool(false); // internal
        }

        var partitions = metadata?.Assignments ?? [];
        w.WriteArrayLength(partitions.Length);
        for (var p = 0; p < partitions.Length; p++)
        {
            var assignment = partitions[p];
            var leader = PartitionLeadership.NodeToServe(assignment);
            var up = !PartitionLeadership.IsOffline(assignment, live);
            w.WriteInt16((short)(up ? OrkaErrorCode.None : OrkaErrorCode.LeaderNotAvailable));
            w.WriteInt32(p);
            w.WriteInt32(up ? leader : -1);
            if (version >= 7)
            {
                w.WriteInt32(-1); // leader epoch: unknown, so clients skip epoch validation
            }

            w.WriteArrayLength(assignment.Replicas.Length);
            foreach (var replica in assignment.Replicas)
            {
                w.WriteInt32(replica);
            }

            var inSync = assignment.InSyncReplicas.Where(live.Contains).ToList();
            w.WriteArrayLength(inSync.Count);
            foreach (var replica in inSync)
            {
                w.WriteInt32(replica);
            }

            if (version >= 5)
            {
                var offline = assignment.Replicas.Where(r => !live.Contains(r)).ToList();
                w.WriteArrayLength(offline.Count);
                foreach (var replica in offline)
                {
                    w.WriteInt32(replica);
                }
            }

            w.WriteEmptyTaggedFields();
        }

        if (version >= 8)
        {
            w.WriteInt32(int.MinValue); // topic authorized operations: not computed
        }

        w.WriteEmptyTaggedFields();
    }
}
