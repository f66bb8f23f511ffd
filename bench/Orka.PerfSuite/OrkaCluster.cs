namespace Orka.PerfSuite;

/// <summary>
/// N Orka nodes as child processes (the silo's Release build), on free loopback ports, with data under
/// the suite's work folder; node 0 is the primary. Killed on dispose.
/// </summary>
internal sealed class OrkaCluster : IAsyncDisposable
{
    private readonly List<ChildProcess> _silos = [];

    private OrkaCluster(string gateways, string bootstrap)
    {
        Gateways = gateways;
        Bootstrap = bootstrap;
    }

    /// <summary>Gateway endpoints for <c>orka -g</c>.</summary>
    public string Gateways { get; }

    /// <summary>The nodes' Kafka listeners, for <c>--bootstrap-servers</c>.</summary>
    public string Bootstrap { get; }

    public static async Task<OrkaCluster> StartAsync(Binaries binaries, string workDirectory, int nodes)
    {
        var root = Directory.CreateDirectory(Path.Combine(workDirectory, $"orka-{nodes}-{Guid.NewGuid():N}")).FullName;
        var siloPorts = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToArray();
        var gatewayPorts = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToArray();
        var kafkaPorts = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToArray();
        var cluster = new OrkaCluster(
            string.Join(',', gatewayPorts.Select(p => $"127.0.0.1:{p}")),
            string.Join(',', kafkaPorts.Select(p => $"127.0.0.1:{p}")));
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                cluster._silos.Add(ChildProcess.Start("dotnet", [
                    binaries.Silo,
                    $"--Orka:NodeId={i}",
                    $"--Orka:DataDirectory={Path.Combine(root, $"node-{i}")}",
                    $"--Orka:MetadataDirectory={Path.Combine(root, "metadata")}",
                    $"--Orleans:Endpoints:SiloPort={siloPorts[i]}",
                    $"--Orleans:Endpoints:GatewayPort={gatewayPorts[i]}",
                    $"--Orka:Kafka:Port={kafkaPorts[i]}",
                    $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{siloPorts[0]}",
                    "--urls=http://127.0.0.1:0",
                    "--Logging:LogLevel:Default=Warning",
                ]));
                var silo = cluster._silos[^1];
                await FreePort.WaitListeningAsync(gatewayPorts[i], TimeSpan.FromSeconds(60), () => silo.Output);
            }

            // Every node must be in membership before topics are spread over them.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var (code, output) = await ChildProcess.RunAsync("dotnet", [binaries.Cli, "-g", cluster.Gateways, "nodes"], TimeSpan.FromSeconds(30));
                var active = output.Split('\n').Count(l => l.Contains("Status: Active", StringComparison.Ordinal));
                if (code == 0 && active == nodes)
                {
                    return cluster;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{nodes} nodes did not all become active within 60 s: {output}");
                }

                await Task.Delay(500);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }
}
