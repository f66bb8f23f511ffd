using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orka.Client;

namespace Orka.Cli;

/// <summary>An Orleans client host connected to the cluster for the length of one command.</summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterConnection(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<ClusterConnection> OpenAsync(string gateways, CancellationToken cancellationToken)
    {
        var endpoints = OrkaEndpoints.ParseGateways(gateways);
        var host = new HostBuilder()
            .UseOrleansClient(client => client.UseOrkaGateways(endpoints))
            // stdout carries records; Orleans' own chatter would corrupt it.
            .ConfigureLogging(logging => logging.ClearProviders())
            .Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new CliException($"cannot connect to the Orka cluster at {gateways}: {e.Message}");
        }

        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _host.Dispose();
        }
    }
}
