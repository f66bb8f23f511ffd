using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// An Orleans client host connected to the cluster for the length of one command. Before the Orleans
/// client starts, every gateway endpoint gets a plain TCP connect (<see cref="GatewayProbe"/>), so
/// an address where nothing listens fails within about a second, naming it. When the Orleans client
/// has not connected after <see cref="DiagnoseAfter"/>, the endpoints are asked what they are, so a
/// Kafka or HTTP port given by mistake is reported as such at once rather than after the timeout.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How long the Orleans handshake may take before the command gives up (an address that refuses or is not a gateway fails long before).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the Orleans client may take before the endpoints are probed for what they are (a gateway connects in milliseconds).</summary>
    private static readonly TimeSpan DiagnoseAfter = TimeSpan.FromSeconds(1);

    private readonly IHost _host;

    private ClusterConnection(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<ClusterConnection> OpenAsync(string gateways, CancellationToken cancellationToken)
    {
        var endpoints = OrkaEndpoints.ParseGateways(gateways);
        var refusals = await Task.WhenAll(endpoints.Select(e => GatewayProbe.CanConnectAsync(e, cancellationToken)));
        if (refusals.All(r => r is not null))
        {
            throw new CliException($"cannot connect to the Orka cluster at {gateways}: " +
                string.Join("; ", endpoints.Zip(refusals, (e, r) => $"{e}: {r}")));
        }

        var host = new HostBuilder()
            .UseOrleansClient(client => client.UseOrkaGateways(endpoints))
            // stdout carries records; Orleans' own chatter would corrupt it.
            .ConfigureLogging(logging => logging.ClearProviders())
            // The command handles Ctrl+C and SIGTERM itself (Program.cs): the host's console lifetime
            // would stop the Orleans client under a command that is still committing or flushing.
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, CommandLifetime>())
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            var start = host.StartAsync(timeout.Token);
            if (await Task.WhenAny(start, Task.Delay(DiagnoseAfter, cancellationToken)) != start)
            {
                var identified = await Task.WhenAll(endpoints.Select(e => GatewayProbe.IdentifyAsync(e, cancellationToken)));
                if (identified.All(i => i is not null))
                {
                    timeout.Cancel();
                    await start.ContinueWith(_ => { }, TaskScheduler.Default);
                    throw new CliException($"cannot connect to the Orka cluster at {gateways}: {string.Join("; ", identified)}");
                }
            }

            await start;
        }
        catch (Exception e) when (e is not CliException && !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var why = e is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : e.Message;
            var identified = await Task.WhenAll(endpoints.Select(ep => GatewayProbe.IdentifyAsync(ep, cancellationToken)));
            var hints = identified.Where(i => i is not null).ToList();
            throw new CliException($"cannot connect to the Orka cluster at {gateways}: {why}" + (hints.Count > 0 ? $" ({string.Join("; ", hints)})" : ""));
        }
        catch
        {
            host.Dispose();
            throw;
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

    /// <summary>A host lifetime that leaves process signals to the command.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
