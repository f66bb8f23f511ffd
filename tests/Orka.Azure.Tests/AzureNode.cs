using Microsoft.AspNetCore.Builder;
using Orka.Silo;

namespace Orka.Azure.Tests;

/// <summary>
/// One real Orka node (the host the silo executable runs) configured only through its configuration
/// keys, as an operator would: Azure Table clustering through Orleans' own <c>Orleans:Clustering:*</c>
/// keys and grain state through <c>Orka:Storage:*</c>.
/// </summary>
internal sealed class AzureNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AzureNode(WebApplication app, int gatewayPort)
    {
        _app = app;
        GatewayPort = gatewayPort;
    }

    public int GatewayPort { get; }

    public static async Task<AzureNode> StartAsync(int nodeId, string root, string clusterId, string connectionString, string storageProvider)
    {
        var ports = FreePorts.Take(2);
        var app = SiloHost.Build(
        [
            $"--Orka:NodeId={nodeId}",
            "--Orka:Kafka:Port=0", // any free port: test assemblies run in parallel
            $"--Orka:DataDirectory={Path.Combine(root, $"node-{nodeId}")}",
            $"--Orka:Storage:Provider={storageProvider}",
            $"--Orka:Storage:ConnectionString={connectionString}",
            $"--Orleans:ClusterId={clusterId}",
            "--Orleans:Clustering:ProviderType=AzureTableStorage",
            $"--Orleans:Clustering:ConnectionString={connectionString}",
            $"--Orleans:Endpoints:SiloPort={ports[0]}",
            $"--Orleans:Endpoints:GatewayPort={ports[1]}",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await app.StartAsync(timeout.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new AzureNode(app, ports[1]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
