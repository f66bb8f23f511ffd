using System.Text.Json;
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

    // Intent: the web console's page, script and stylesheet are served by the gateway itself (no CDN).
    [Fact]
    public async Task Console_StaticFiles_ServedAtRoot()
    {
        var index = await _http.GetStringAsync("");
        Assert.DoesNotContain("http", index, StringComparison.OrdinalIgnoreCase); // nothing from elsewhere
        var scripts = System.Text.RegularExpressions.Regex.Matches(index, "<script src=\"/([^\"]+)\"></script>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["ui.js", "pages-topics.js", "pages-groups.js", "app.js"], scripts);
        var code = string.Concat(await Task.WhenAll(scripts.Select(s => _http.GetStringAsync(s))));
        Assert.Contains("/api/topics", code);
        Assert.Contains("/api/groups", code);
        Assert.Contains("new EventSource(", code);
        Assert.Equal("text/css", (await _http.GetAsync("app.css")).Content.Headers.ContentType?.MediaType);
    }
}
