using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Orka.Azure.Tests;

/// <summary>
/// An Orleans client that finds the silos' gateways in the Azure membership table (no gateway list),
/// configured by Orleans' own <c>Orleans:Clustering:*</c> keys.
/// </summary>
internal sealed class AzureClient : IAsyncDisposable
{
    private readonly IHost _host;

    private AzureClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<AzureClient> StartAsync(string clusterId, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = "orka",
            ["Orleans:Clustering:ProviderType"] = "AzureTableStorage",
            ["Orleans:Clustering:ConnectionString"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.UseOrleansClient();
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return new AzureClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
