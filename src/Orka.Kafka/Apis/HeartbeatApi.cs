using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>Heartbeat (key 12) v0-4, mapped onto <see cref="IConsumerGroupGrain.HeartbeatAsync"/>.</summary>
public sealed class HeartbeatApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.Heartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 4;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var groupId = request.ReadString();
        var generation = request.ReadInt32();
        var memberId = request.ReadString();
        if (header.ApiVersion >= 3)
        {
            _ = request.ReadNullableString(); // group instance id
        }

        request.SkipTaggedFields();

        var error = OrkaErrorCode.None;
        try
        {
            if (!GroupErrors.IsValidGroupId(groupId))
            {
                throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"'{groupId}' is not a valid group id.");
            }

            await context.Grains.GetGrain<IConsumerGroupGrain>(groupId).HeartbeatAsync(generation, memberId);
        }
        catch (Exception e)
        {
            error = context.ErrorOf(e);
        }

        if (header.ApiVersion >= 1)
        {
            response.WriteInt32(0); // throttle
        }

        response.WriteInt16((short)error);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
