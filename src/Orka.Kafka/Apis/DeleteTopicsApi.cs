using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>DeleteTopics (key 20) v1-6: by name, or (v6) by topic id, through the topic grains.</summary>
public sealed class DeleteTopicsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.DeleteTopics;

    public override short MinVersion => 1;

    public override short MaxVersion => 6;

    public override short FirstFlexibleVersion => 4;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        List<(string? Name, Guid Id)> topics;
        if (version >= 6)
        {
            topics = request.ReadArray(r =>
            {
                var name = r.ReadNullableString();
                var id = r.ReadUuid();
                r.SkipTaggedFields();
                return (name, id);
            });
        }
        else
        {
            topics = request.ReadArray(r => ((string?)r.ReadString(), Guid.Empty));
        }

        _ = request.ReadInt32(); // timeout
        request.SkipTaggedFields();

        var results = new List<(string? Name, Guid Id, OrkaErrorCode Error, string? Message)>();
        foreach (var (name, id) in topics)
        {
            results.Add(await DeleteAsync(name, id));
        }

        response.WriteInt32(0); // throttle
        response.WriteArray(results, (w, r) =>
        {
            if (version >= 6)
            {
                w.WriteNullableString(r.Name);
                w.WriteUuid(r.Id);
            }
            else
            {
                w.WriteString(r.Name ?? "");
            }

            w.WriteInt16((short)r.Error);
            if (version >= 5)
            {
                w.WriteNullableString(r.Message);
            }

            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(string? Name, Guid Id, OrkaErrorCode Error, string? Message)> DeleteAsync(string? name, Guid id)
    {
        try
        {
            if (name is null)
            {
                foreach (var candidate in await context.Grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync())
                {
                    if (await context.Grains.GetGrain<ITopicGrain>(candidate).GetMetadataAsync() is { } m && m.TopicId == id)
                    {
                        name = m.Name;
                        break;
                    }
                }

                if (name is null)
                {
                    return (null, id, OrkaErrorCode.UnknownTopicId, $"No topic has id {id}.");
                }
            }

            if (Names.TopicNameError(name) is { } nameError)
            {
                return (name, id, OrkaErrorCode.InvalidTopic, nameError);
            }

            var grain = context.Grains.GetGrain<ITopicGrain>(name);
            var metadata = await grain.GetMetadataAsync();
            if (metadata is null)
            {
                return (name, id, OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            await grain.DeleteAsync();
            context.Topics.Invalidate(name);
            return (name, metadata.TopicId, OrkaErrorCode.None, null);
        }
        catch (Exception e)
        {
            return (name, id, context.ErrorOf(e), e.Message);
        }
    }
}
