using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// CreatePartitions (key 37) v0-3: grows a topic through its grain (new partitions go to the
/// least loaded live nodes); manual assignments are INVALID_REPLICA_ASSIGNMENT.
/// </summary>
public sealed class CreatePartitionsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.CreatePartitions;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override short FirstFlexibleVersion => 2;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var count = r.ReadInt32();
            var assignments = r.ReadArrayLength();
            for (var i = 0; i < assignments; i++)
            {
                _ = r.ReadArray(ra => ra.ReadInt32());
                r.SkipTaggedFields();
            }

            r.SkipTaggedFields();
            return (Name: name, Count: count, Assigned: assignments > 0);
        });
        _ = request.ReadInt32(); // timeout
        var validateOnly = request.ReadBool();
        request.SkipTaggedFields();

        var results = new List<(string Name, OrkaErrorCode Error, string? Message)>();
        foreach (var topic in topics)
        {
            results.Add(await GrowAsync(topic.Name, topic.Count, topic.Assigned, validateOnly));
        }

        response.WriteInt32(0); // throttle
        response.WriteArray(results, (w, r) =>
        {
            w.WriteString(r.Name);
            w.WriteInt16((short)r.Error);
            w.WriteNullableString(r.Message);
            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(string Name, OrkaErrorCode Error, string? Message)> GrowAsync(string name, int count, bool assigned, bool validateOnly)
    {
        if (Names.TopicNameError(name) is { } nameError)
        {
            return (name, OrkaErrorCode.InvalidTopic, nameError);
        }

        if (assigned)
        {
            return (name, OrkaErrorCode.InvalidReplicaAssignment, "Orka places partitions itself; manual assignments are not supported.");
        }

        try
        {
            var grain = context.Grains.GetGrain<ITopicGrain>(name);
            if (validateOnly)
            {
                var metadata = await grain.GetMetadataAsync();
                return metadata is null ? (name, OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.")
                    : count <= metadata.PartitionCount ? (name, OrkaErrorCode.InvalidPartitions, $"Topic '{name}' has {metadata.PartitionCount} partitions; {count} does not grow it.")
                    : (name, OrkaErrorCode.None, null);
            }

            await grain.AddPartitionsAsync(count);
            context.Topics.Invalidate(name);
            return (name, OrkaErrorCode.None, null);
        }
        catch (Exception e)
        {
            return (name, context.ErrorOf(e), e.Message);
        }
    }
}
