using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// FindCoordinator (key 10) v0-4. Groups live in grains, which any silo can call, so every broker
/// is a valid coordinator: this one answers with itself. Transaction coordinators (key type 1)
/// do not exist in Orka: COORDINATOR_NOT_AVAILABLE.
/// </summary>
public sealed class FindCoordinatorApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.FindCoordinator;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 3;

    public override ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var keys = new List<string>();
        if (version <= 3)
        {
            keys.Add(request.ReadString());
        }

        sbyte keyType = 0;
        if (version >= 1)
        {
            keyType = request.ReadInt8();
        }

        if (version >= 4)
        {
            keys.AddRange(request.ReadArray(r => r.ReadString()));
        }

        request.SkipTaggedFields();

        var self = context.Brokers.LocalEndpoint;
        var error = keyType != 0 ? OrkaErrorCode.CoordinatorNotAvailable
            : self is null ? OrkaErrorCode.CoordinatorNotAvailable
            : OrkaErrorCode.None;
        string? message = error == OrkaErrorCode.None ? null
            : keyType != 0 ? "Orka has no transaction coordinator." : "The listener is starting.";
        var nodeId = error == OrkaErrorCode.None ? self!.NodeId : -1;
        var host = error == OrkaErrorCode.None ? self!.Host : "";
        var port = error == OrkaErrorCode.None ? self!.Port : -1;

        if (version >= 1)
        {
            response.WriteInt32(0); // throttle
        }

        if (version <= 3)
        {
            response.WriteInt16((short)error);
            if (version >= 1)
            {
                response.WriteNullableString(message);
            }

            response.WriteInt32(nodeId);
            response.WriteString(host);
            response.WriteInt32(port);
        }
        else
        {
            response.WriteArray(keys, (w, key) =>
            {
                var keyError = error == OrkaErrorCode.None && keyType == 0 && Names.MaxGroupIdLength < key.Length ? OrkaErrorCode.InvalidGroupId : error;
                w.WriteString(key);
                w.WriteInt32(keyError == OrkaErrorCode.None ? nodeId : -1);
                w.WriteString(keyError == OrkaErrorCode.None ? host : "");
                w.WriteInt32(keyError == OrkaErrorCode.None ? port : -1);
                w.WriteInt16((short)keyError);
                w.WriteNullableString(keyError == OrkaErrorCode.None ? null : message ?? "The group id is too long.");
                w.WriteEmptyTaggedFields();
            });
        }

        response.WriteEmptyTaggedFields();
        return ValueTask.FromResult(true);
    }
}
