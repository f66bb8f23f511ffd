using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// DeleteGroups (key 42) v0-2 through <see cref="IConsumerGroupGrain.DeleteAsync"/>:
/// NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for a group that does not exist.
/// </summary>
public sealed class DeleteGroupsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.DeleteGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override short FirstFlexibleVersion => 2;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var groupIds = request.ReadArray(r => r.ReadString());
        request.SkipTaggedFields();

        var results = new List<(string GroupId, OrkaErrorCode Error)>();
        foreach (var groupId in groupIds)
        {
            var error = OrkaErrorCode.None;
            try
            {
                if (!GroupErrors.IsValidGroupId(groupId))
                {
                    throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"'{groupId}' is not a valid group id.");
                }

                await context.Grains.GetGrain<IConsumerGroupGrain>(groupId).DeleteAsync();
            }
            catch (Exception e)
            {
                error = context.ErrorOf(e);
            }

            results.Add((groupId, error));
        }

        response.WriteInt32(0); // throttle
        response.WriteArray(results, (w, r) =>
        {
            w.WriteString(r.GroupId);
            w.WriteInt16((short)r.Error);
            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
