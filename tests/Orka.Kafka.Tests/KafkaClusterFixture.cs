using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Hosting;
using Orka.Silo;

namespace Orka.Kafka.Tests;

/// <summary>
/// Two real Orka nodes in this process (the same host as the silo executable), each with its Kafka
/// listener on a free loopback port. Kafka clients bootstrap from <see cref="BootstrapServers"/>.
/// </summary>
public sealed class KafkaClusterFixture : IAsyncLifetime
{
    public const int Nodes = 2;

    private readonly List<WebApplication> _silos = [];

    public string Root { get; } = Directory.CreateTempSubdirectory("orka-kafka-").FullName;

    /// <summary>Every node's Kafka endpoint, node 0 first.</summary>
    public string BootstrapServers { get; private set; } = "";

    /// <summary>The Kafka endpoint of each node, by node id.</summary>
    public IReadOnlyList<KafkaEndpoint> Endpoints { get; private set; } = [];

    public IGrainFactory Grains => _silos[0].Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2 * Nodes);
        for (var node = 0; node < Nodes; node++)
        {
            _silos.Add(await StartNodeAsync(Root, node, ports[2 * node], ports[(2 * node) + 1], ports[0]));
        }

        Endpoints = [.. _silos.Select(s => s.Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint
            ?? throw new InvalidOperationException("A silo started without its Kafka listener."))];
        BootstrapServers = string.Join(",", Endpoints.Select(e => $"{e.Host}:{e.Port}"));
        await WaitForBrokersAsync();
    }

    /// <summary>Starts one node of a loopback cluster whose primary silo listens on <paramref name="primarySiloPort"/>; Kafka on a free port.</summary>
    public static async Task<WebApplication> StartNodeAsync(string root, int node, int siloPort, int gatewayPort, int primarySiloPort, params string[] extraArgs)
    {
        var silo = SiloHost.Build(
        [
            .. extraArgs,
            $"--Orka:NodeId={node}",
            $"--Orka:DataDirectory={Path.Combine(root, $"node-{node}")}",
            $"--Orleans:Endpoints:SiloPort={siloPort}",
            $"--Orleans:Endpoints:GatewayPort={gatewayPort}",
            $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{primarySiloPort}",
            "--Orka:Kafka:Port=0",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await silo.StartAsync();
        return silo;
    }

    /// <summary>Until every silo's Metadata lists both brokers (membership converges a moment after start).</summary>
    private async Task WaitForBrokersAsync()
    {
        foreach (var silo in _silos)
        {
            var directory = silo.Services.GetRequiredService<KafkaBrokerDirectory>();
            await Eventually.HoldsAsync(async () => (await directory.GetLiveBrokersAsync()).Length == Nodes,
                TimeSpan.FromSeconds(60), $"node {directory.LocalNodeId} to see {Nodes} live Kafka brokers");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(_silos))
        {
            await silo.StopAsync();
            await silo.DisposeAsync();
        }

        Directory.Delete(Root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class KafkaClusterCollection : ICollectionFixture<KafkaClusterFixture>
{
    public const string Name = "kafka cluster";
}
