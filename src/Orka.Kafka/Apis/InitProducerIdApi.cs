using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// InitProducerId (key 22) v0-4 for idempotent producers: a fresh producer id with epoch 0 from
/// the producer-id grain, also when a client asks to bump the epoch of its current id (v3+), which
/// Kafka clients accept. Transactional ids are refused: Orka has no transactions.
/// </summary>
public sealed class InitProducerIdApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 2;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var transactionalId = request.ReadNullableString();
        _ = request.ReadInt32(); // transaction timeout
        if (header.ApiVersion >= 3)
        {
            _ = request.ReadInt64(); // current producer id
            _ = request.ReadInt16(); // current epoch
        }

        request.SkipTaggedFields();

        var error = OrkaErrorCode.None;
        var identity = new ProducerIdentity(-1, -1);
        if (transactionalId is not null)
        {
            error = OrkaErrorCode.TransactionalIdAuthorizationFailed;
        }
        else
        {
            try
            {
                identity = await context.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync();
            }
            catch (Exception e)
            {
                error = context.ErrorOf(e);
            }
        }

        response.WriteInt32(0); // throttle
        response.WriteInt16((short)error);
        response.WriteInt64(identity.ProducerId);
        response.WriteInt16(identity.Epoch);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
