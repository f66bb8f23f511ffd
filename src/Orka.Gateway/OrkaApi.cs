using Orka.Gateway.Api;

namespace Orka.Gateway;

/// <summary>The REST API under <c>/api</c> (every endpoint is listed in the README and the OpenAPI document).</summary>
public static class OrkaApi
{
    public static IEndpointRouteBuilder MapOrkaApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapClusterApi();
        api.MapTopicsApi();
        api.MapTopicActivityApi();
        api.MapRecordsApi();
        api.MapRecordSearchApi();
        api.MapGroupsApi();
        return app;
    }
}
