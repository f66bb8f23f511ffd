using Microsoft.AspNetCore.Mvc;

namespace Orka.Gateway.Problems;

/// <summary>
/// The one place where an Orka error becomes an HTTP answer: <see cref="StatusFor"/> maps every
/// <see cref="OrkaErrorCode"/> to a status, <see cref="Create"/> builds the
/// <c>application/problem+json</c> body. Every failure of the API goes through here (thrown
/// <see cref="OrkaException"/>s via <see cref="OrkaExceptionHandler"/>), so the same code always
/// gets the same status, and the body always carries <c>code</c> (Kafka's number), <c>error</c>
/// (its name) and <c>retriable</c>.
/// </summary>
public static class OrkaProblems
{
    /// <summary>The HTTP status for an error code (see the README's error table).</summary>
    public static int StatusFor(OrkaErrorCode code) => code switch
    {
        OrkaErrorCode.InvalidTopic or
        OrkaErrorCode.InvalidGroupId or
        OrkaErrorCode.InvalidConfig or
        OrkaErrorCode.InvalidPartitions or
        OrkaErrorCode.InvalidRequest or
        OrkaErrorCode.InvalidSessionTimeout or
        OrkaErrorCode.CorruptMessage => StatusCodes.Status400BadRequest,

        OrkaErrorCode.UnknownTopicOrPartition or
        OrkaErrorCode.GroupIdNotFound or
        OrkaErrorCode.UnknownMemberId => StatusCodes.Status404NotFound,

        OrkaErrorCode.TopicAlreadyExists or
        OrkaErrorCode.NonEmptyGroup or
        OrkaErrorCode.RebalanceInProgress or
        OrkaErrorCode.IllegalGeneration => StatusCodes.Status409Conflict,

        OrkaErrorCode.MessageTooLarge or
        OrkaErrorCode.OffsetMetadataTooLarge or
        OrkaErrorCode.RecordListTooLarge => StatusCodes.Status413PayloadTooLarge,

        // 416: the offset asked for lies outside the partition's log (the "range" of the resource).
        OrkaErrorCode.OffsetOutOfRange => StatusCodes.Status416RangeNotSatisfiable,

        OrkaErrorCode.LeaderNotAvailable or
        OrkaErrorCode.NotLeaderOrFollower or
        OrkaErrorCode.KafkaStorageError => StatusCodes.Status503ServiceUnavailable,

        OrkaErrorCode.RequestTimedOut => StatusCodes.Status504GatewayTimeout,

        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>A problem for <paramref name="code"/> with a message that says what to fix.</summary>
    public static ProblemDetails Create(OrkaErrorCode code, string detail, string? instance = null)
    {
        var problem = new ProblemDetails
        {
            Status = StatusFor(code),
            Title = code.ToString(),
            Type = $"urn:orka:error:{code}",
            Detail = detail,
            Instance = instance,
        };
        problem.Extensions["code"] = (short)code;
        problem.Extensions["error"] = code.ToString();
        problem.Extensions["retriable"] = OrkaErrors.IsRetriable(code);
        return problem;
    }

    /// <summary>The code an exception stands for: its own, or what a transport failure means.</summary>
    public static (OrkaErrorCode Code, string Detail) Classify(Exception exception) => exception switch
    {
        OrkaException orka => (orka.Code, orka.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (
            OrkaErrorCode.RecordListTooLarge,
            "The request body is larger than the gateway accepts (Orka:Gateway:MaxRequestBodyBytes); send fewer or smaller records per request."),
        BadHttpRequestException bad => (OrkaErrorCode.InvalidRequest, BadRequestDetail(bad)),
        System.Text.Json.JsonException json => (OrkaErrorCode.InvalidRequest, $"The request body is not valid JSON for this endpoint: {json.Message}"),
        Orka.Records.CorruptRecordException storage => (OrkaErrorCode.UnknownServerError, $"The stored records cannot be decoded here: {storage.Message}"),
        TimeoutException => (OrkaErrorCode.RequestTimedOut, "The cluster did not answer in time; retry."),
        Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException =>
            (OrkaErrorCode.LeaderNotAvailable, $"The cluster is not reachable right now ({exception.GetType().Name}); retry."),
        _ => (OrkaErrorCode.UnknownServerError, "The gateway failed unexpectedly; see its log."),
    };

    private static string BadRequestDetail(BadHttpRequestException bad)
    {
        // Minimal APIs wrap JSON errors; the inner message names the path and position of the problem.
        var inner = bad.InnerException is System.Text.Json.JsonException json ? $" {json.Message}" : "";
        return $"{bad.Message}{inner}";
    }
}
