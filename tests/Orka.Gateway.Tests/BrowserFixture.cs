using Microsoft.Playwright;

namespace Orka.Gateway.Tests;

/// <summary>
/// Playwright driving the chromium of Debian's <c>chromium</c> package (Playwright's own browser
/// download cannot work here). <c>ORKA_CHROMIUM</c> overrides where it is; without one the test
/// fails at once and says how to install it (<c>.ci/run</c> does).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots of each page are kept (test output, <c>artifacts/</c>).</summary>
    public string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        var chromium = FindChromium() ?? throw new InvalidOperationException(
            "chromium not found (looked at $ORKA_CHROMIUM and for chromium / chromium-browser on PATH). Install it: apt-get install -y chromium (.ci/run does).");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("ORKA_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"ORKA_CHROMIUM={configured} does not exist.");
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .SelectMany(dir => new[] { "chromium", "chromium-browser" }.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }
}
