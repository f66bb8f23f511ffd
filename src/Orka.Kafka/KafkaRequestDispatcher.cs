using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Kafka.Hosting;
using Orka.Kafka.Protocol;
using Orka.Kafka.Telemetry;

namespace Orka.Kafka;

/// <summary>
/// Turns one request frame into one response frame: parses the header, picks the API, lets it
/// handle the body, and frames the answer (response header v0, or v1 for flexible versions; the
/// ApiVersions response always uses v0 so that any client can read it).
/// </summary>
public sealed class KafkaRequestDispatcher
{
    private readonly FrozenDictionary<ApiKey, KafkaApi> _apis;
    private readonly ILogger<KafkaRequestDispatcher> _logger;
    private readonly int _maxArrayElements;

    public KafkaRequestDispatcher(IEnumerable<KafkaApi> apis, ILogger<KafkaRequestDispatcher> logger, IOptions<KafkaListenerOptions>? options = null)
    {
        _apis = apis.ToFrozenDictionary(a => a.Key);
        _logger = logger;
        _maxArrayElements = (options?.Value ?? new KafkaListenerOptions()).MaxRequestArrayElements;
    }

    /// <summary>Every API answered, by key, for ApiVersions.</summary>
    public IEnumerable<KafkaApi> Apis => _apis.Values.OrderBy(a => a.Key);

    /// <summary>
    /// Answers one frame (the bytes after the size prefix). Returns the response frame, or null when
    /// the request gets no response (acks=0). Throws <see cref="KafkaProtocolException"/> when the
    /// frame cannot be answered at all; the connection is then closed.
    /// </summary>
    public async ValueTask<KafkaWriter?> DispatchAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        await await StartAsync(frame, cancellationToken);

    /// <summary>
    /// The pipelined form of <see cref="DispatchAsync"/> (see <see cref="KafkaApi.StartAsync"/>): the
    /// outer task completes once the next request may start (a produce has appended), the inner one
    /// with the response frame (or null) once it is ready. A frame that cannot be answered throws
    /// from the outer task. The caller keeps <paramref name="frame"/> alive until the inner task
    /// completes and owns (disposes) the response. <paramref name="retainFrame"/> is called before
    /// the inner task completes when the frame must never be reused (see <see cref="KafkaReader.FrameRetainer"/>).
    /// </summary>
    public async ValueTask<Task<KafkaWriter?>> StartAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken, Action? retainFrame = null)
    {
        var reader = new KafkaReader(frame) { FrameRetainer = retainFrame, MaxArrayElements = _maxArrayElements };
        var key = (ApiKey)reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        if (!_apis.TryGetValue(key, out var api))
        {
            throw new KafkaProtocolException($"Unknown API key {(short)key} (version {version}, correlation id {correlationId}).");
        }

        var clientId = reader.ReadClassicNullableString();
        var header = new RequestHeader(key, version, correlationId, clientId);
        var response = new KafkaWriter();
        Task<bool> written;
        System.Diagnostics.Activity? span = null;
        try
        {
            response.WriteInt32(correlationId);
            if (!api.Supports(version))
            {
                if (key == ApiKey.ApiVersions)
                {
                    // As brokers do: answer in v0 with UNSUPPORTED_VERSION and our ranges, so the client can pick.
                    Orka.Kafka.Apis.ApiVersionsApi.WriteBody(response, this, version: 0, OrkaErrorCode.UnsupportedVersion);
                    return Task.FromResult<KafkaWriter?>(response);
                }

                throw new KafkaProtocolException($"{key} version {version} is not supported (Orka answers {api.MinVersion}-{api.MaxVersion}).");
            }

            var flexible = api.IsFlexible(version);
            reader.Flexible = flexible;
            reader.SkipTaggedFields();
            if (flexible && key != ApiKey.ApiVersions)
            {
                response.Flexible = true;
                response.WriteEmptyTaggedFields();
            }

            response.Flexible = flexible;
            span = KafkaRequestSpans.Start(header);
            written = await api.StartAsync(header, reader, response, cancellationToken);
        }
        catch (Exception e)
        {
            KafkaRequestSpans.Fail(span, e);
            response.Dispose();
            throw;
        }
        finally
        {
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("{Api} v{Version} #{Correlation} from {Client}", key, version, correlationId, clientId);
            }
        }

        KafkaRequestSpans.EndWith(span, written);
        if (written.IsCompletedSuccessfully)
        {
            return Task.FromResult(Keep(written.Result, response));
        }

        return FinishAsync(written, response);
    }

    private static async Task<KafkaWriter?> FinishAsync(Task<bool> written, KafkaWriter response)
    {
        bool answered;
        try
        {
            answered = await written;
        }
        catch
        {
            response.Dispose();
            throw;
        }

        return Keep(answered, response);
    }

    /// <summary>The response if there is one; else disposes it (acks=0).</summary>
    private static KafkaWriter? Keep(bool answered, KafkaWriter response)
    {
        if (answered)
        {
            return response;
        }

        response.Dispose();
        return null;
    }
}
