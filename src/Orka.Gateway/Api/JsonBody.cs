using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Orka.Gateway.Api;

/// <summary>
/// Reads a JSON request body. Endpoints read bodies here rather than through parameter binding so
/// that every way a body can be wrong ends as a specific Orka error: malformed or empty JSON is
/// InvalidRequest (400), a body past <c>Orka:Gateway:MaxRequestBodyBytes</c> is RecordListTooLarge
/// (413). (Binding would turn the size limit's exception, an IOException, into an empty answer.)
/// </summary>
public static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        var request = context.Request;
        var limit = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            throw TooLarge(request.ContentLength.Value, limit);
        }

        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Content-Type must be application/json; got '{type}'.");
        }

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(request.Body, options, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"The request body is not valid JSON for this endpoint: {e.Message}", e);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(null, limit);
        }

        return body ?? throw new OrkaException(OrkaErrorCode.InvalidRequest, "The request body is empty or null; send a JSON object.");
    }

    private static OrkaException TooLarge(long? length, long limit) => new(
        OrkaErrorCode.RecordListTooLarge,
        $"The request body{(length is { } l ? $" ({l} bytes)" : "")} is larger than the gateway's limit of {limit} bytes (Orka:Gateway:MaxRequestBodyBytes); send fewer or smaller records per request.");
}
