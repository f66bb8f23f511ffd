using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Orka.Gateway.Tests;

/// <summary>A browser page on the console of the shared node and gateway, in the colour scheme a test asks for; screenshots land in artifacts/.</summary>
public abstract class ConsolePageTest(ClusterFixture cluster, BrowserFixture browser, ColorScheme scheme = ColorScheme.Light) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    protected ClusterFixture Cluster { get; } = cluster;

    protected HttpClient Http { get; } = cluster.CreateHttpClient();

    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(20_000);
        _context = await NewContextAsync(scheme);
        Page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    /// <summary>A fresh browser context (its own pages) that emulates <paramref name="colorScheme"/>; the caller disposes it.</summary>
    protected Task<IBrowserContext> NewContextAsync(ColorScheme colorScheme) =>
        browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Cluster.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            ColorScheme = colorScheme,
        });

    protected Task ScreenshotAsync(string name, IPage? page = null) =>
        (page ?? Page).ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(browser.Artifacts, $"{name}.png"), FullPage = true });
}
