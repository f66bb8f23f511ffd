using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// IncrementalAlterConfigs (key 44) v0-1 for topics: SET, DELETE, APPEND and SUBTRACT (the list
/// operations on comma-separated values such as cleanup.policy) applied to the topic's current
/// config, which the topic grain validates and applies as a whole (nothing changes on error).
/// Broker resources are refused: node settings come from the silo's configuration.
/// </summary>
public sealed class IncrementalAlterConfigsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override short FirstFlexibleVersion => 1;

    private sealed record Change(string Name, sbyte Operation, string? Value);

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var resources = request.ReadArray(r =>
        {
            var type = r.ReadInt8();
            var name = r.ReadString();
            var changes = r.ReadArray(rc =>
            {
                var change = new Change(rc.ReadString(), rc.ReadInt8(), rc.ReadNullableString());
                rc.SkipTaggedFields();
                return change;
            });
            r.SkipTaggedFields();
            return (Type: type, Name: name, Changes: changes);
        });
        var validateOnly = request.ReadBool();
        request.SkipTaggedFields();

        var results = new List<(sbyte Type, string Name, OrkaErrorCode Error, string? Message)>();
        foreach (var (type, name, changes) in resources)
        {
            var (error, message) = await AlterAsync(type, name, changes, validateOnly);
            results.Add((type, name, error, message));
        }

        response.WriteInt32(0); // throttle
        response.WriteArray(results, (w, r) =>
        {
            w.WriteInt16((short)r.Error);
            w.WriteNullableString(r.Message);
            w.WriteInt8(r.Type);
            w.WriteString(r.Name);
            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(OrkaErrorCode, string?)> AlterAsync(sbyte type, string name, List<Change> changes, bool validateOnly)
    {
        if (type != DescribeConfigsApi.TopicResource)
        {
            return (OrkaErrorCode.InvalidRequest, $"Only topic configs (resource type 2) can be altered; got type {type}.");
        }

        if (Names.TopicNameError(name) is { } nameError)
        {
            return (OrkaErrorCode.InvalidTopic, nameError);
        }

        try
        {
            var grain = context.Grains.GetGrain<ITopicGrain>(name);
            var metadata = await grain.GetMetadataAsync();
            if (metadata is null)
            {
                return (OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            var config = metadata.Config.ToBuilder();
            foreach (var change in changes)
            {
                switch (change.Operation)
                {
                    case 0 when change.Value is not null: // SET
                        config[change.Name] = change.Value;
                        break;
                    case 1: // DELETE
                        config.Remove(change.Name);
                        break;
                    case 2 or 3 when change.Value is not null: // APPEND, SUBTRACT
                        var items = (config.TryGetValue(change.Name, out var current) ? current : "")
                            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                        foreach (var item in change.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            if (change.Operation == 2 && !items.Contains(item))
                            {
                                items.Add(item);
                            }
                            else if (change.Operation == 3)
                            {
                                items.Remove(item);
                            }
                        }

                        if (items.Count == 0)
                        {
                            config.Remove(change.Name);
                        }
                        else
                        {
                            config[change.Name] = string.Join(',', items);
                        }

                        break;
                    default:
                        return (OrkaErrorCode.InvalidRequest, $"Operation {change.Operation} on '{change.Name}' is not SET (0), DELETE (1), APPEND (2) or SUBTRACT (3) with a value.");
                }
            }

            var altered = config.ToImmutable();
            if (validateOnly)
            {
                _ = TopicSettings.Parse(altered);
            }
            else
            {
                await grain.AlterConfigAsync(altered);
                context.Topics.Invalidate(name);
            }

            return (OrkaErrorCode.None, null);
        }
        catch (Exception e)
        {
            return (context.ErrorOf(e), e.Message);
        }
    }
}
