using System.Globalization;
using Orka.Broker.Hosting;
using Orleans.TestingHost;

namespace Orka.Benchmarks;

/// <summary>A one-silo Orleans TestCluster running the Orka broker over a temp folder, for the grain and client benchmarks.</summary>
public static class BenchCluster
{
    private const string RootKey = "OrkaBench:Root";

    public static async Task<(TestCluster Cluster, string Root)> StartAsync(ConnectionTransportType transport)
    {
        var root = BenchData.NewTempDirectory("cluster");
        var builder = new TestClusterBuilder(1);
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
            siloBuilder.AddOrka(o =>
            {
                o.NodeId = 0;
                o.DataDirectory = Path.Combine(root, "node-0");
                o.MetadataDirectory = Path.Combine(root, "metadata");
            });
        }
    }
}
