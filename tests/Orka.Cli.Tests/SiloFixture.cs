using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Hosting;
using Orka.Silo;

namespace Orka.Cli.Tests;

/// <summary>One real Orka node (the same host the silo executable runs) on free loopback ports.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public string Root { get; } = Directory.CreateTempSubdirectory("orka-cli-").FullName;

    public string Gateway { get; private set; } = "";

    /// <summary>The node's Kafka listener (on a free port), for <c>--protocol kafka</c> runs.</summary>
    public string KafkaBootstrap { get; private set; } = "";

    /// <summary>The node's HTTP endpoint (health checks), host:port, for a test that points the CLI at the wrong port.</summary>
    public string HttpEndpoint { get; private set; } = "";

    /// <summary>The silo's own grain factory, for a test to act as a second client (e.g. a group member).</summary>
    public IGrainFactory Grains => _app?.Services.GetRequiredService<IGrainFactory>() ?? throw new InvalidOperationException("The silo is not running.");

    /// <summary>The node's HTTP address (<c>/health</c>), on a free port.</summary>
    public string HttpAddress => _app?.Urls.First() ?? throw new InvalidOperationException("The silo is not running.");

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        Gateway = $"127.0.0.1:{ports[1]}";
        _app = SiloHost.Build(
        [
            "--Orka:NodeId=0",
            $"--Orka:DataDirectory={Path.Combine(Root, "node-0")}",
            $"--Orleans:Endpoints:SiloPort={ports[0]}",
            $"--Orleans:Endpoints:GatewayPort={ports[1]}",
            $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{ports[0]}",
            "--urls=http://127.0.0.1:0",
            "--Orka:Kafka:Port=0", // never Kafka's default 9092 + node id: tests run in parallel
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        var kafka = _app.Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint
            ?? throw new InvalidOperationException("The silo started without its Kafka listener.");
        KafkaBootstrap = $"{kafka.Host}:{kafka.Port}";
        var http = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        HttpEndpoint = $"{http.Host}:{http.Port}";
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(Root, recursive: true);
    }
}
