using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// DescribeConfigs (key 32) v1-4. A topic's configs are every key of <see cref="TopicConfigCatalog"/>
/// (or only the keys the request names): those set on the topic with source DYNAMIC_TOPIC_CONFIG (1),
/// the rest with their default and source DEFAULT_CONFIG (5), as Kafka answers. Documentation is
/// sent when the request asks for it (v3+). A broker resource is answered with no configs: Orka's
/// node settings are not Kafka broker configs.
/// </summary>
public sealed class DescribeConfigsApi(KafkaApiContext context) : KafkaApi
{
    /// <summary>Kafka's config resource types.</summary>
    internal const sbyte TopicResource = 2;

    internal const sbyte BrokerResource = 4;

    public override ApiKey Key => ApiKey.DescribeConfigs;

    public override short MinVersion => 1;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 4;

    private sealed record Described(sbyte Type, string Name, OrkaErrorCode Error, string? Message, List<TopicConfigEntry> Configs);

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var resources = request.ReadArray(r =>
        {
            var type = r.ReadInt8();
            var name = r.ReadString();
            var keysLength = r.ReadArrayLength();
            List<string>? keys = null;
            if (keysLength >= 0)
            {
                keys = [];
                for (var i = 0; i < keysLength; i++)
                {
                    keys.Add(r.ReadString());
                }
            }

            r.SkipTaggedFields();
            return (Type: type, Name: name, Keys: keys);
        });
        _ = request.ReadBool(); // include synonyms
        var includeDocumentation = version >= 3 && request.ReadBool();

        request.SkipTaggedFields();

        var results = new List<Described>();
        foreach (var (type, name, keys) in resources)
        {
            results.Add(await DescribeAsync(type, name, keys));
        }

        response.WriteInt32(0); // throttle
        response.WriteArray(results, (w, r) =>
        {
            w.WriteInt16((short)r.Error);
            w.WriteNullableString(r.Message);
            w.WriteInt8(r.Type);
            w.WriteString(r.Name);
            w.WriteArray(r.Configs, (wc, c) =>
            {
                wc.WriteString(c.Name);
                wc.WriteNullableString(c.Value);
                wc.WriteBool(false); // read only
                wc.WriteInt8((sbyte)c.Source);
                wc.WriteBool(false); // sensitive
                wc.WriteArrayLength(0); // synonyms
                if (version >= 3)
                {
                    wc.WriteInt8(0); // type: unknown
                    wc.WriteNullableString(includeDocumentation && c.Documentation.Length > 0 ? c.Documentation : null);
                }

                wc.WriteEmptyTaggedFields();
            });
            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<Described> DescribeAsync(sbyte type, string name, List<string>? keys)
    {
        switch (type)
        {
            case BrokerResource:
                return new Described(type, name, OrkaErrorCode.None, null, []);
            case TopicResource:
                break;
            default:
                return new Described(type, name, OrkaErrorCode.InvalidRequest, $"Resource type {type} is not a topic (2) or broker (4).", []);
        }

        if (Names.TopicNameError(name) is { } nameError)
        {
            return new Described(type, name, OrkaErrorCode.InvalidTopic, nameError, []);
        }

        try
        {
            var metadata = await context.Grains.GetGrain<ITopicGrain>(name).GetMetadataAsync();
            if (metadata is null)
            {
                return new Described(type, name, OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.", []);
            }

            var configs = TopicConfigCatalog.Describe(metadata.Config)
                .Where(c => keys is null || keys.Contains(c.Name, StringComparer.Ordinal))
                .ToList();
            return new Described(type, name, OrkaErrorCode.None, null, configs);
        }
        catch (Exception e)
        {
            return new Described(type, name, context.ErrorOf(e), e.Message, []);
        }
    }
}
