using System.Globalization;
using Orka.Broker;
using Orleans.TestingHost;

namespace Orka.Benchmarks;

/// <summary>
/// An Orleans TestCluster running the Orka broker over a temp folder (node i = silo i, shared
/// metadata), for the grain and client benchmarks and the client throughput runner.
/// </summary>
public static class BenchCluster
{
    private const string RootKey = "OrkaBench:Root";

    public static async Task<(TestCluster Cluster, string Root)> StartAsync(ConnectionTransportType transport, int silos = 1)
    {
        var root = BenchData.NewTempDirectory("cluster");
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ConnectionTransport = transport;
        builder.Options.ConfigureFileLogging = false; // the test cluster would write ./logs into the working directory
        builder.Properties[RootKey] = root;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return (cluster, root);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var root = siloBuilder.Configuration[RootKey]!;
            var siloName = siloBuilder.Configuration["Orleans:Name"]!; // "Primary", then "Secondary_1", …
            var nodeId = siloName == "Primary" ? 0 : int.Parse(siloName[(siloName.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture);
            siloBuilder.AddOrka(o =>
            {
                o.NodeId = nodeId;
                o.DataDirectory = Path.Combine(root, $"node-{nodeId}");
                o.MetadataDirectory = Path.Combine(root, "metadata");
            });
        }
    }
}
