using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// LeaveGroup (key 13) v0-4: one member (v0-2) or a batch of members (v3+), each through
/// <see cref="IConsumerGroupGrain.LeaveAsync"/>; the group rebalances without them.
/// </summary>
public sealed class LeaveGroupApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.LeaveGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 4;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var groupId = request.ReadString();
        List<(string MemberId, string? InstanceId)> members;
        if (version <= 2)
        {
            members = [(request.ReadString(), null)];
        }
        else
        {
            members = request.ReadArray(r =>
            {
                var member = (r.ReadString(), r.ReadNullableString());
                r.SkipTaggedFields();
                return member;
            });
        }

        request.SkipTaggedFields();

        var error = GroupErrors.IsValidGroupId(groupId) ? OrkaErrorCode.None : OrkaErrorCode.InvalidGroupId;
        var results = new List<(string MemberId, string? InstanceId, OrkaErrorCode Error)>();
        foreach (var (memberId, instanceId) in members)
        {
            var memberError = error;
            if (error == OrkaErrorCode.None)
            {
                try
                {
                    await context.Grains.GetGrain<IConsumerGroupGrain>(groupId).LeaveAsync(memberId);
                }
                catch (Exception e)
                {
                    memberError = context.ErrorOf(e);
                }
            }

            results.Add((memberId, instanceId, memberError));
        }

        if (version >= 1)
        {
            response.WriteInt32(0); // throttle
        }

        // v0-2 carry one member, whose error is the top-level one.
        response.WriteInt16((short)(version <= 2 ? results[0].Error : error));
        if (version >= 3)
        {
            response.WriteArray(results, (w, r) =>
            {
                w.WriteString(r.MemberId);
                w.WriteNullableString(r.InstanceId);
                w.WriteInt16((short)r.Error);
                w.WriteEmptyTaggedFields();
            });
        }

        response.WriteEmptyTaggedFields();
        return true;
    }
}
