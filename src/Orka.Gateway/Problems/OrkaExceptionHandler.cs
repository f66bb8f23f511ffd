using Microsoft.AspNetCore.Diagnostics;

namespace Orka.Gateway.Problems;

/// <summary>
/// Turns every exception escaping an endpoint into <c>application/problem+json</c> through
/// <see cref="OrkaProblems"/>. Unexpected failures are logged; expected ones (bad input, unknown
/// names) are not, since a client can send them at will.
/// </summary>
public sealed class OrkaExceptionHandler(ILogger<OrkaExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (code, detail) = OrkaProblems.Classify(exception);
        if (code == OrkaErrorCode.UnknownServerError)
        {
            logger.LogError(exception, "Unhandled failure in {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        var problem = OrkaProblems.Create(code, detail, httpContext.Request.Path);
        httpContext.Response.StatusCode = problem.Status!.Value;
        await httpContext.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
        return true;
    }
}
