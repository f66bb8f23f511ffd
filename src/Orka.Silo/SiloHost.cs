using System.Net;
using Orka.Broker.Hosting;

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

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        var nodeId = builder.Configuration.GetValue("Orka:NodeId", 0);
        if (nodeId < 0)
        {
            throw new InvalidOperationException($"Orka:NodeId must be 0 or more; got {nodeId}.");
        }

        builder.UseOrleans(silo =>
        {
            // With no clustering configured (Orleans:Clustering:ProviderType), a node is a
            // single-machine development cluster on loopback; node 0 is the primary.
            if (string.IsNullOrEmpty(builder.Configuration["Orleans:Clustering:ProviderType"]))
            {
                var siloPort = builder.Configuration.GetValue("Orleans:Endpoints:SiloPort", DefaultSiloPort + nodeId);
                var gatewayPort = builder.Configuration.GetValue("Orleans:Endpoints:GatewayPort", DefaultGatewayPort + nodeId);
                var primary = builder.Configuration["Orleans:Clustering:PrimarySiloEndPoint"] is { } text
                    ? IPEndPoint.Parse(text)
                    : new IPEndPoint(IPAddress.Loopback, DefaultSiloPort);
                silo.UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId: "orka", clusterId: "orka");
            }

            silo.AddOrka();
        });

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
