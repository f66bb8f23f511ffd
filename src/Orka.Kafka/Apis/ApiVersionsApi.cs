using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// ApiVersions (key 18) v0-3: the exact version range of every API this listener answers. An
/// unsupported version is answered in v0 with UNSUPPORTED_VERSION and the ranges (see
/// <see cref="KafkaRequestDispatcher"/>), so that a newer client retries with one we speak.
/// </summary>
/// <remarks>
/// The dispatcher is resolved per request from <paramref name="services"/> rather than injected:
/// the dispatcher is built from every <see cref="KafkaApi"/>, this one included.
/// </remarks>
public sealed class ApiVersionsApi(IServiceProvider services) : KafkaApi
{
    public override ApiKey Key => ApiKey.ApiVersions;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override short FirstFlexibleVersion => 3;

    public override ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        if (header.ApiVersion >= 3)
        {
            _ = request.ReadString(); // client software name
            _ = request.ReadString(); // client software version
            request.SkipTaggedFields();
        }

        WriteBody(response, services.GetRequiredService<KafkaRequestDispatcher>(), header.ApiVersion, OrkaErrorCode.None);
        return ValueTask.FromResult(true);
    }

    /// <summary>The response body in <paramref name="version"/>.</summary>
    internal static void WriteBody(KafkaWriter response, KafkaRequestDispatcher dispatcher, short version, OrkaErrorCode error)
    {
        response.Flexible = version >= 3;
        response.WriteInt16((short)error);
        response.WriteArray(dispatcher.Apis.ToList(), (w, api) =>
        {
            w.WriteInt16((short)api.Key);
            w.WriteInt16(api.MinVersion);
            w.WriteInt16(api.MaxVersion);
            w.WriteEmptyTaggedFields();
        });
        if (version >= 1)
        {
            response.WriteInt32(0); // throttle time
        }

        response.WriteEmptyTaggedFields();
    }
}
