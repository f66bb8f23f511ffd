using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orka.Silo;

namespace Orka.Gateway.Tests;

/// <summary>
/// A real Orka node (the silo executable's host) and the real gateway on Kestrel, both in this
/// process on free loopback ports; the gateway connects to the node as an Orleans client, exactly
/// as in the AppHost. The gateway's body limit is 64 KiB so 413 is cheap to provoke.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The gateway's request body limit in these tests.</summary>
    public const int MaxRequestBodyBytes = 64 * 1024;

    private WebApplication? _silo;
    private WebApplication? _gateway;

    public string Root { get; } = Directory.CreateTempSubdirectory("orka-gateway-").FullName;

    /// <summary>The gateway's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>An Orleans client of the node (the gateway's own), for checking what the API did.</summary>
    public IClusterClient Client => _gateway!.Services.GetRequiredService<IClusterClient>();

    /// <summary>The gateway's endpoints (to compare with the OpenAPI document).</summary>
    public IServiceProvider GatewayServices => _gateway!.Services;

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _silo = SiloHost.Build(
        [
            "--Orka:NodeId=0",
            "--Orka:Kafka:Port=0", // any free port: test assemblies run in parallel
            $"--Orka:DataDirectory={Path.Combine(Root, "node-0")}",
            $"--Orleans:Endpoints:SiloPort={ports[0]}",
            $"--Orleans:Endpoints:GatewayPort={ports[1]}",
            $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{ports[0]}",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _silo.StartAsync();

        _gateway = GatewayHost.Build(
        [
            $"--Orka:Gateways=127.0.0.1:{ports[1]}",
            $"--Orka:Gateway:MaxRequestBodyBytes={MaxRequestBodyBytes}",
            "--Orka:Gateway:ThroughputSampleInterval=00:00:00.500",
            "--Orka:Gateway:ThroughputWindow=00:00:05",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _gateway.StartAsync();
        BaseAddress = new Uri(_gateway.Urls.Single().TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _gateway, _silo })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        Directory.Delete(Root, recursive: true);
    }
}
