namespace Orka.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ConsoleFilesTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    // Intent: the web console's page, script and stylesheet are served by the gateway itself (no CDN).
    [Fact]
    public async Task Console_StaticFiles_ServedAtRoot()
    {
        var index = await _http.GetStringAsync("");
        Assert.DoesNotContain("http", index, StringComparison.OrdinalIgnoreCase); // nothing from elsewhere
        var scripts = System.Text.RegularExpressions.Regex.Matches(index, "<script src=\"/([^\"]+)\"></script>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["ui.js", "pages-topics.js", "pages-messages.js", "charts.js", "pages-groups.js", "app.js"], scripts);
        var code = string.Concat(await Task.WhenAll(scripts.Select(s => _http.GetStringAsync(s))));
        Assert.Contains("/api/topics", code);
        Assert.Contains("/api/groups", code);
        Assert.Contains("/records/search?", code);
        Assert.Contains("new EventSource(", code);
        Assert.Equal("text/css", (await _http.GetAsync("app.css")).Content.Headers.ContentType?.MediaType);
    }
}
