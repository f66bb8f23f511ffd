using System.Collections.Immutable;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// JoinGroup (key 11) v0-7, mapped onto <see cref="IConsumerGroupGrain.JoinAsync"/>.
/// </summary>
/// <remarks>
/// The grain holds a join at most 20 s and then throws REBALANCE_IN_PROGRESS; the listener keeps
/// the client's request open and calls again (the member keeps its place) until the client's
/// rebalance timeout has passed. Versions before 4 do not know MEMBER_ID_REQUIRED, so for them the
/// listener takes the id the grain hands out and joins again with it at once. Static membership
/// (group.instance.id, v5+) is not supported: such members join as dynamic ones.
/// </remarks>
public sealed class JoinGroupApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.JoinGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 7;

    public override short FirstFlexibleVersion => 6;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var groupId = request.ReadString();
        var sessionTimeoutMs = request.ReadInt32();
        var rebalanceTimeoutMs = version >= 1 ? request.ReadInt32() : sessionTimeoutMs;
        var memberId = request.ReadString();
        if (version >= 5)
        {
            _ = request.ReadNullableString(); // group instance id
        }

        var protocolType = request.ReadString();
        var protocols = request.ReadArray(r =>
        {
            var protocol = new GroupProtocol(r.ReadString(), r.ReadBytes().ToArray());
            r.SkipTaggedFields();
            return protocol;
        });
        request.SkipTaggedFields();

        JoinGroupResult result;
        var error = OrkaErrorCode.None;
        try
        {
            if (!GroupErrors.IsValidGroupId(groupId))
            {
                throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"'{groupId}' is not a valid group id.");
            }

            var grain = context.Grains.GetGrain<IConsumerGroupGrain>(groupId);
            var join = new JoinGroupRequest(memberId, header.ClientId ?? "", protocolType, [.. protocols],
                TimeSpan.FromMilliseconds(sessionTimeoutMs), TimeSpan.FromMilliseconds(Math.Max(rebalanceTimeoutMs, 0)));
            var deadline = context.Time.GetTimestamp();
            // Bounded: a hostile rebalance timeout must not pin a connection for days.
            var patience = TimeSpan.FromMilliseconds(Math.Clamp(Math.Max(rebalanceTimeoutMs, sessionTimeoutMs), 0, 600_000));
            while (true)
            {
                try
                {
                    result = await grain.JoinAsync(join);
                    if (result.ErrorCode == OrkaErrorCode.MemberIdRequired && version < 4)
                    {
                        join = join with { MemberId = result.MemberId };
                        continue;
                    }

                    break;
                }
                catch (OrkaException e) when (e.Code == OrkaErrorCode.RebalanceInProgress && context.Time.GetElapsedTime(deadline) < patience)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            error = result.ErrorCode;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            error = context.ErrorOf(e);
            result = new JoinGroupResult(error, -1, protocolType, "", "", memberId, []);
        }

        if (version >= 2)
        {
            response.WriteInt32(0); // throttle
        }

        response.WriteInt16((short)error);
        response.WriteInt32(result.GenerationId);
        var hasProtocol = error == OrkaErrorCode.None;
        if (version >= 7)
        {
            response.WriteNullableString(hasProtocol ? result.ProtocolType : null);
            response.WriteNullableString(hasProtocol ? result.ProtocolName : null);
        }
        else
        {
            response.WriteString(result.ProtocolName);
        }

        response.WriteString(result.LeaderId);
        response.WriteString(result.MemberId);
        var members = result.Members.IsDefault ? ImmutableArray<JoinGroupMember>.Empty : result.Members;
        response.WriteArray(members, (w, m) =>
        {
            w.WriteString(m.MemberId);
            if (version >= 5)
            {
                w.WriteNullableString(null); // group instance id
            }

            w.WriteBytes(m.Metadata.Span);
            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
