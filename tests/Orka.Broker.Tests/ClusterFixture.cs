using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orka.Broker.Groups;
using Orleans.TestingHost;

namespace Orka.Broker.Tests;

/// <summary>
/// A real two-silo Orleans cluster in this process, running the Orka broker. Silo "Primary" is node 0,
/// "Secondary_N" is node N; each has its own data directory under one temp root, and they share the
/// metadata directory, as the local AppHost cluster does.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string RootKey = "OrkaTest:Root";

    /// <summary>Set (to anything) to give the silos a <see cref="ShiftedTimeProvider"/>.</summary>
    public const string ShiftedTimeKey = "OrkaTest:ShiftedTime";

    /// <summary>The time provider of a silo started with <see cref="ShiftedTimeKey"/>.</summary>
    public static ShiftedTimeProvider TimeOf(SiloHandle silo) =>
        (ShiftedTimeProvider)((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<TimeProvider>();

    public string Root { get; } = Directory.CreateTempSubdirectory("orka-broker-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string NodeDirectory(int node) => Path.Combine(Root, $"node-{node}");

    // Real TCP sockets (not the test cluster's in-memory transport), so that clients built the way an
    // application builds them (AddOrkaClient with gateway endpoints) can connect too.
    public async Task InitializeAsync() => Cluster = await StartClusterAsync(Root, silos: 2, transport: ConnectionTransportType.TcpSocket);

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>Starts a cluster whose nodes keep their data under <paramref name="root"/>.</summary>
    public static async Task<TestCluster> StartClusterAsync(
        string root, int silos, IReadOnlyDictionary<string, string>? configuration = null, ConnectionTransportType transport = ConnectionTransportType.InMemory)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ConnectionTransport = transport;
        builder.Properties[RootKey] = root;
        foreach (var (key, value) in configuration ?? new Dictionary<string, string>())
        {
            builder.Properties[key] = value;
        }

        builder.AddSiloBuilderConfigurator<OrkaSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class OrkaSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var root = siloBuilder.Configuration[RootKey]!;
            var siloName = siloBuilder.Configuration["Orleans:Name"]
                ?? throw new InvalidOperationException("The test cluster gave the silo no SiloName.");

            // The test cluster names silos "Primary", "Secondary_1", …: node 0, 1, ….
            var nodeId = siloName == "Primary" ? 0 : int.Parse(siloName[(siloName.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture);
            if (siloBuilder.Configuration[ShiftedTimeKey] is not null)
            {
                // Registered before AddOrka, whose TryAdd then keeps it.
                siloBuilder.Services.AddSingleton<TimeProvider>(new ShiftedTimeProvider());
            }

            siloBuilder.Services.Configure<OrkaGroupOptions>(o => o.LagMetricsInterval = TimeSpan.FromMilliseconds(200));
            siloBuilder.AddOrka(o =>
            {
                o.NodeId = nodeId;
                o.DataDirectory = Path.Combine(root, $"node-{nodeId}");
                o.MetadataDirectory = Path.Combine(root, "metadata");
                o.DeletedTopicSweepInterval = TimeSpan.FromMilliseconds(200);
            });
        }
    }
}
