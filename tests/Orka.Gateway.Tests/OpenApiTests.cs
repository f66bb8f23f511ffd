using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Orka.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class OpenApiTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    // Intent: every endpoint the gateway maps under /api appears, with its HTTP method, in the OpenAPI document it serves.
    [Fact]
    public async Task OpenApi_Document_ListsEveryApiEndpoint()
    {
        var document = await _http.GetJsonAsync(GatewayHost.OpenApiPath.TrimStart('/'));
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();

        var mapped = cluster.GatewayServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToList();

        Assert.True(mapped.Count >= 12, $"only {mapped.Count} API endpoints mapped");
        Assert.All(mapped, endpoint => Assert.Contains(endpoint, documented));
        Assert.Contains("POST /api/topics/{name}/records", documented);
    }
}
