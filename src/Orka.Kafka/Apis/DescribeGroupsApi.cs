using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// DescribeGroups (key 15) v0-5 from each group grain: state, protocol, members with their
/// subscription metadata and assignment. A group that does not exist is described as Dead, as
/// Kafka does. The client host is not tracked and is answered empty.
/// </summary>
public sealed class DescribeGroupsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.DescribeGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    public override short FirstFlexibleVersion => 5;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var groupIds = request.ReadArray(r => r.ReadString());
        if (version >= 3)
        {
            _ = request.ReadBool(); // include authorized operations
        }

        request.SkipTaggedFields();

        var described = await Task.WhenAll(groupIds.Select(DescribeAsync));

        if (version >= 1)
        {
            response.WriteInt32(0); // throttle
        }

        response.WriteArray(described, (w, d) =>
        {
            var (groupId, error, group) = d;
            w.WriteInt16((short)error);
            w.WriteString(groupId);
            w.WriteString((group?.State ?? GroupState.Dead).ToString());
            w.WriteString(group?.ProtocolType ?? "");
            w.WriteString(group?.ProtocolName ?? "");
            w.WriteArray(group?.Members ?? [], (wm, m) =>
            {
                wm.WriteString(m.MemberId);
                if (version >= 4)
                {
                    wm.WriteNullableString(null); // group instance id
                }

                wm.WriteString(m.ClientId);
                wm.WriteString(""); // client host
                wm.WriteBytes(m.Metadata.Span);
                wm.WriteBytes(m.Assignment.Span);
                wm.WriteEmptyTaggedFields();
            });
            if (version >= 3)
            {
                w.WriteInt32(int.MinValue); // authorized operations: not computed
            }

            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(string GroupId, OrkaErrorCode Error, GroupDescription? Group)> DescribeAsync(string groupId)
    {
        if (!GroupErrors.IsValidGroupId(groupId))
        {
            return (groupId, OrkaErrorCode.InvalidGroupId, null);
        }

        try
        {
            var grain = context.Grains.GetGrain<IConsumerGroupGrain>(groupId);
            return await grain.GetListingAsync() is null
                ? (groupId, OrkaErrorCode.None, null)
                : (groupId, OrkaErrorCode.None, await grain.DescribeAsync());
        }
        catch (Exception e)
        {
            return (groupId, context.ErrorOf(e), null);
        }
    }
}
