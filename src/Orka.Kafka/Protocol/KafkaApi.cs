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

    /// <summary>
    /// The pipelined form of <see cref="HandleAsync"/>, in two stages. The returned
    /// <see cref="ValueTask{T}"/> completes when the request has done everything the next request
    /// on the connection must come after (for a produce: its appends); the inner task completes when
    /// the response body is written (for a produce with acks=all: once the appends are fsynced) and
    /// says, as <see cref="HandleAsync"/> does, whether there is a response. The connection starts
    /// the next request after the first stage and writes responses in request order. The default
    /// does all the work in the first stage, so an API that does not override this stays serial.
    /// Neither stage may use <paramref name="request"/> after the first one completes.
    /// </summary>
    public virtual async ValueTask<Task<bool>> StartAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken) =>
        await HandleAsync(header, request, response, cancellationToken) ? CompletedTrue : CompletedFalse;

    private static readonly Task<bool> CompletedTrue = Task.FromResult(true);

    private static readonly Task<bool> CompletedFalse = Task.FromResult(false);
}
