namespace Orka.Kafka.Protocol;

/// <summary>
/// One Kafka API: the version range Orka answers (advertised in ApiVersions), where its flexible
/// versions start, and the handler that decodes a request body, calls the grains and encodes the
/// response body.
/// </summary>
public abstract class KafkaApi
{
    public abstract ApiKey Key { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    /// <summary>The first version with compact encodings, tagged fields and header v2 / response header v1.</summary>
    public abstract short FirstFlexibleVersion { get; }

    public bool Supports(short version) => version >= MinVersion && version <= MaxVersion;

    public bool IsFlexible(short version) => version >= FirstFlexibleVersion;

    /// <summary>
    /// Reads the request body from <paramref name="request"/> and writes the response body to
    /// <paramref name="response"/> (both already set to the version's flexibility). Returns false
    /// when Kafka sends no response at all (a produce with acks=0).
    /// </summary>
    public abstract ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken);
}
