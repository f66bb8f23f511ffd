using System.Collections.Immutable;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// CreateTopics (key 19) v2-7 through the topic grains, so topics made by Kafka tools are the same
/// as those made by the Orka CLI. Orka keeps one copy of each partition: a replication factor
/// other than 1 or -1 (the broker default) is INVALID_REPLICATION_FACTOR, and manual replica
/// assignments are INVALID_REPLICA_ASSIGNMENT. validate_only checks name, count and config only.
/// </summary>
public sealed class CreateTopicsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.CreateTopics;

    public override short MinVersion => 2;

    public override short MaxVersion => 7;

    public override short FirstFlexibleVersion => 5;

    private sealed record Creatable(string Name, int Partitions, short ReplicationFactor, int Assignments, ImmutableDictionary<string, string> Config, bool NullConfigValue);

    private sealed record Created(string Name, OrkaErrorCode Error, string? Message, TopicMetadata? Metadata);

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var partitions = r.ReadInt32();
            var replication = r.ReadInt16();
            var assignments = r.ReadArray(ra =>
            {
                _ = ra.ReadInt32();
                _ = ra.ReadArray(rb => rb.ReadInt32());
                ra.SkipTaggedFields();
                return 0;
            }).Count;
            var nullValue = false;
            var config = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in r.ReadArray(rc =>
            {
                var key = rc.ReadString();
                var value = rc.ReadNullableString();
                rc.SkipTaggedFields();
                return (key, value);
            }))
            {
                if (value is null)
                {
                    nullValue = true;
                }
                else
                {
                    config[key] = value;
                }
            }

            r.SkipTaggedFields();
            return new Creatable(name, partitions, replication, assignments, config.ToImmutable(), nullValue);
        });
        _ = request.ReadInt32(); // timeout
        var validateOnly = request.ReadBool();
        request.SkipTaggedFields();

        var results = await Task.WhenAll(topics.Select(t => CreateAsync(t, validateOnly)));

        response.WriteInt32(0); // throttle
        response.WriteArray(results, (w, r) =>
        {
            w.WriteString(r.Name);
            if (version >= 7)
            {
                w.WriteUuid(r.Metadata?.TopicId ?? Guid.Empty);
            }

            w.WriteInt16((short)r.Error);
            w.WriteNullableString(r.Message);
            if (version >= 5)
            {
                w.WriteInt32(r.Metadata?.PartitionCount ?? -1);
                w.WriteInt16((short)(r.Metadata is null ? -1 : 1));
                if (r.Metadata is null)
                {
                    w.WriteArrayLength(-1);
                }
                else
                {
                    w.WriteArray(r.Metadata.Config.OrderBy(c => c.Key, StringComparer.Ordinal).ToList(), (wc, c) =>
                    {
                        wc.WriteString(c.Key);
                        wc.WriteNullableString(c.Value);
                        wc.WriteBool(false); // read only
                        wc.WriteInt8(1); // source: dynamic topic config
                        wc.WriteBool(false); // sensitive
                        wc.WriteEmptyTaggedFields();
                    });
                }
            }

            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<Created> CreateAsync(Creatable topic, bool validateOnly)
    {
        if (Names.TopicNameError(topic.Name) is { } nameError)
        {
            return new Created(topic.Name, OrkaErrorCode.InvalidTopic, nameError, null);
        }

        if (topic.ReplicationFactor is not (1 or -1))
        {
            return new Created(topic.Name, OrkaErrorCode.InvalidReplicationFactor, $"Orka keeps one copy of each partition; replication factor {topic.ReplicationFactor} is not possible.", null);
        }

        if (topic.Assignments > 0)
        {
            return new Created(topic.Name, OrkaErrorCode.InvalidReplicaAssignment, "Orka places partitions itself; manual replica assignments are not supported.", null);
        }

        if (topic.NullConfigValue)
        {
            return new Created(topic.Name, OrkaErrorCode.InvalidConfig, "A topic config value must not be null.", null);
        }

        var partitions = topic.Partitions == -1 ? context.Options.DefaultPartitions : topic.Partitions;
        var grain = context.Grains.GetGrain<ITopicGrain>(topic.Name);
        try
        {
            if (validateOnly)
            {
                _ = TopicSettings.Parse(topic.Config);
                if (partitions < 1)
                {
                    return new Created(topic.Name, OrkaErrorCode.InvalidPartitions, $"Partition count must be at least 1; got {partitions}.", null);
                }

                return await grain.GetMetadataAsync() is null
                    ? new Created(topic.Name, OrkaErrorCode.None, null, null)
                    : new Created(topic.Name, OrkaErrorCode.TopicAlreadyExists, $"Topic '{topic.Name}' already exists.", null);
            }

            var metadata = await grain.CreateAsync(new TopicSpec(topic.Name, partitions, topic.Config));
            context.Topics.Invalidate(topic.Name);
            return new Created(topic.Name, OrkaErrorCode.None, null, metadata);
        }
        catch (Exception e)
        {
            return new Created(topic.Name, context.ErrorOf(e), e.Message, null);
        }
    }
}
