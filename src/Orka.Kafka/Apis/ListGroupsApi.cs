using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// ListGroups (key 16) v0-4: every group the cluster grain knows (groups made by native and Kafka
/// clients alike), optionally filtered by state names (v4), which are Kafka's ("Stable", "Empty", …).
/// </summary>
public sealed class ListGroupsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.ListGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 3;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var states = version >= 4 ? request.ReadArray(r => r.ReadString()) : [];
        request.SkipTaggedFields();

        var error = OrkaErrorCode.None;
        List<GroupListing> groups = [];
        try
        {
            groups = [.. (await context.Grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ListGroupsAsync())
                .Where(g => states.Count == 0 || states.Contains(g.State.ToString(), StringComparer.OrdinalIgnoreCase))];
        }
        catch (Exception e)
        {
            error = context.ErrorOf(e);
        }

        if (version >= 1)
        {
            response.WriteInt32(0); // throttle
        }

        response.WriteInt16((short)error);
        response.WriteArray(groups, (w, g) =>
        {
            w.WriteString(g.GroupId);
            w.WriteString(g.ProtocolType);
            if (version >= 4)
            {
                w.WriteString(g.State.ToString());
            }

            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
