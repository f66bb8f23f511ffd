using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orka.Client;

namespace Orka.Cli;

/// <summary>An Orleans client host connected to the cluster for the length of one command.</summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How long connecting may take before the command gives up.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var why = e is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : e.Message;
            throw new CliException($"cannot connect to the Orka cluster at {gateways}: {why}");
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
