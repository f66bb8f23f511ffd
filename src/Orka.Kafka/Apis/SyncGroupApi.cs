using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// SyncGroup (key 14) v0-5, mapped onto <see cref="IConsumerGroupGrain.SyncAsync"/>; like JoinGroup,
/// a sync the grain gives up on after 20 s is sent again while the client's session lasts.
/// </summary>
public sealed class SyncGroupApi(KafkaApiContext context) : KafkaApi
{
    /// <summary>How long a follower's sync is kept open for the leader's assignment (Kafka bounds it by the rebalance timeout).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public override ApiKey Key => ApiKey.SyncGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    public override short FirstFlexibleVersion => 4;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var groupId = request.ReadString();
        var generation = request.ReadInt32();
        var memberId = request.ReadString();
        if (version >= 3)
        {
            _ = request.ReadNullableString(); // group instance id
        }

        if (version >= 5)
        {
            _ = request.ReadNullableString(); // protocol type
            _ = request.ReadNullableString(); // protocol name
        }

        var assignments = request.ReadArray(r =>
        {
            var assignment = new GroupAssignment(r.ReadString(), r.ReadBytes().ToArray());
            r.SkipTaggedFields();
            return assignment;
        });
        request.SkipTaggedFields();

        var error = OrkaErrorCode.None;
        SyncGroupResult? result = null;
        try
        {
            if (!GroupErrors.IsValidGroupId(groupId))
            {
                throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"'{groupId}' is not a valid group id.");
            }

            var grain = context.Grains.GetGrain<IConsumerGroupGrain>(groupId);
            var started = context.Time.GetTimestamp();
            while (true)
            {
                try
                {
                    result = await grain.SyncAsync(new SyncGroupRequest(generation, memberId, [.. assignments]));
                    break;
                }
                catch (OrkaException e) when (e.Code == OrkaErrorCode.RebalanceInProgress && context.Time.GetElapsedTime(started) < Patience)
                {
                    // Either the grain stopped waiting for the leader (send again) or the group moved
                    // on to a new rebalance (the member must rejoin): the group's state tells which.
                    var group = await grain.DescribeAsync();
                    if (group.State != GroupState.CompletingRebalance || group.GenerationId != generation)
                    {
                        throw;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw;
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
        if (version >= 5)
        {
            response.WriteNullableString(result?.ProtocolType);
            response.WriteNullableString(result?.ProtocolName);
        }

        response.WriteBytes(result is null ? ReadOnlySpan<byte>.Empty : result.Assignment.Span);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
