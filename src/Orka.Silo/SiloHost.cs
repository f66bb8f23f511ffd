using System.Globalization;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orka.Broker;
using Orka.Kafka.Hosting;

namespace Orka.Silo;

/// <summary>
/// Builds and runs one Orka node from standard .NET configuration (appsettings, <c>Orka__*</c> and
/// <c>Orleans__*</c> environment variables, command-line <c>--Orka:NodeId=1</c>).
/// </summary>
public static class SiloHost
{
    /// <summary>Default Orleans silo-to-silo port of node 0 (node i uses this + i when standalone).</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>Default Orleans client gateway port of node 0.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Default Kafka listener port of node 0 (<c>Orka:Kafka:Port</c>; node i uses this + i when standalone).</summary>
    public const int DefaultKafkaPort = KafkaListenerOptions.DefaultPort;

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        var nodeId = builder.Configuration.GetValue("Orka:NodeId", 0);
        if (nodeId < 0)
        {
            throw new InvalidOperationException($"Orka:NodeId must be 0 or more; got {nodeId}.");
        }

        // Defaults under every other configuration source: a single-machine development cluster on
        // loopback whose primary is node 0. Any Orleans:* key given by the caller wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Orleans:ClusterId"] = "orka",
                ["Orleans:ServiceId"] = "orka",
                ["Orleans:Clustering:ProviderType"] = "Development",
                ["Orleans:Clustering:PrimarySiloEndPoint"] = $"127.0.0.1:{DefaultSiloPort}",
                ["Orleans:Endpoints:AdvertisedIPAddress"] = "127.0.0.1",
                ["Orleans:Endpoints:SiloPort"] = (DefaultSiloPort + nodeId).ToString(CultureInfo.InvariantCulture),
                ["Orleans:Endpoints:GatewayPort"] = (DefaultGatewayPort + nodeId).ToString(CultureInfo.InvariantCulture),
                ["Orka:Kafka:Port"] = (DefaultKafkaPort + nodeId).ToString(CultureInfo.InvariantCulture),

                // Framework information (Orleans' start-up, Kestrel, hosting) is chatter; Orka's own
                // events and every warning stay. Logging:LogLevel:* given by the caller wins.
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:Orleans"] = "Warning",
                ["Logging:LogLevel:System"] = "Warning",
            },
        });
        builder.UseOrleans(silo => silo.AddOrka().AddOrkaKafka());
        builder.Services.AddHealthChecks().AddCheck<StorageIntegrityHealthCheck>(StorageIntegrityHealthCheck.Name, HealthStatus.Degraded);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/", () => Results.Text($"Orka node {nodeId}\n"));
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            await Console.Error.WriteLineAsync($"orka silo: {e.Message}");
            return 2;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e)
        {
            // Typically the data directory cannot be opened, or a port is taken.
            await Console.Error.WriteLineAsync($"orka silo: failed to start: {Innermost(e).Message}");
            return 1;
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e is AggregateException { InnerException: { } inner })
        {
            e = inner;
        }

        return e;
    }
}
