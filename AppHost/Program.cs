using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orka.AppHost;

// The local Orka cluster: three silos (nodes 0-2) sharing one data folder, the gateway, and the
// Aspire dashboard. Every port and path can be overridden (Orka:*), which the tests do.
var sinceStart = Stopwatch.StartNew();
var builder = DistributedApplication.CreateBuilder(args);
var config = builder.Configuration;
var nodes = config.GetValue("Orka:Nodes", 3);
var siloPortBase = config.GetValue("Orka:SiloPortBase", 11111);
var gatewayPortBase = config.GetValue("Orka:GatewayPortBase", 30000);
var gatewayHttpPort = config.GetValue("Orka:GatewayHttpPort", 8180);
var kafkaPortBase = config.GetValue("Orka:KafkaPortBase", 9092);
var dataRoot = Path.GetFullPath(config["Orka:DataRoot"] ?? Path.Combine(builder.AppHostDirectory, "..", ".orka-data"));
var primary = $"127.0.0.1:{siloPortBase}";
var gateways = string.Join(",", Enumerable.Range(0, nodes).Select(i => $"127.0.0.1:{gatewayPortBase + i}"));
var bootstrap = string.Join(",", Enumerable.Range(0, nodes).Select(i => $"127.0.0.1:{kafkaPortBase + i}"));

IResourceBuilder<ProjectResource>? first = null;
var silos = new List<IResourceBuilder<ProjectResource>>();
for (var i = 0; i < nodes; i++)
{
    // Named resources with fixed Orleans ports: development clustering needs a known primary silo.
    var silo = builder.AddProject<Projects.Orka_Silo>($"silo{i}", o => o.ExcludeLaunchProfile = true)
        .WithHttpEndpoint(name: "http", isProxied: false)
        .WithEnvironment("Orka__NodeId", i.ToString(CultureInfo.InvariantCulture))
        .WithEnvironment("Orka__DataDirectory", Path.Combine(dataRoot, $"node-{i}"))
        .WithEnvironment("Orka__MetadataDirectory", Path.Combine(dataRoot, "metadata"))
        .WithEnvironment("Orleans__Endpoints__SiloPort", (siloPortBase + i).ToString(CultureInfo.InvariantCulture))
        .WithEnvironment("Orleans__Endpoints__GatewayPort", (gatewayPortBase + i).ToString(CultureInfo.InvariantCulture))
        .WithEnvironment("Orleans__Clustering__PrimarySiloEndPoint", primary)
        .WithEnvironment("Orka__Kafka__Port", (kafkaPortBase + i).ToString(CultureInfo.InvariantCulture))
        .WithEnvironment("Orka__Kafka__Host", "127.0.0.1")
        .WithEnvironment("Orka__Kafka__AdvertisedHost", "127.0.0.1")
        .WithHttpHealthCheck("/health");
    BindToLoopback(silo);
    if (first is null)
    {
        first = silo;
    }
    else
    {
        silo.WaitFor(first);
    }

    silos.Add(silo);
}

var gateway = builder.AddProject<Projects.Orka_Gateway>("gateway", o => o.ExcludeLaunchProfile = true)
    .WithHttpEndpoint(port: gatewayHttpPort, targetPort: gatewayHttpPort, name: "http", isProxied: false)
    .WithEnvironment("Orka__Gateways", gateways)
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", u =>
    {
        // The gateway listens on 127.0.0.1 only (Aspire would show "localhost"): link what it listens on.
        u.Url = new UriBuilder(u.Url) { Host = "127.0.0.1" }.Uri.ToString();
        u.DisplayText = "Orka console";
    })
    .WithUrlForEndpoint("http", e => new ResourceUrlAnnotation { Url = $"http://127.0.0.1:{e.Port}/openapi/v1.json", DisplayText = "REST API (OpenAPI)" });
BindToLoopback(gateway);
foreach (var silo in silos)
{
    gateway.WaitFor(silo);
}

Console.WriteLine($"Orka: {nodes} nodes, data in {dataRoot}");
Console.WriteLine($"Orka: web console at http://127.0.0.1:{gatewayHttpPort}/ (REST API under /api, OpenAPI document at /openapi/v1.json)");
Console.WriteLine($"Orka: CLI connects with --gateway {gateways} (or ORKA_GATEWAYS)");
Console.WriteLine($"Orka: Kafka clients bootstrap from {bootstrap} (e.g. kcat -b {bootstrap} -L)");
Console.WriteLine("Orka: starting; a line says when the cluster is ready");
var layout = new OrkaLayout(nodes, $"http://127.0.0.1:{gatewayHttpPort}/", gateways, bootstrap, [.. Enumerable.Range(kafkaPortBase, nodes)]);
builder.Services.AddHostedService(sp => new StartupReporter(sp.GetRequiredService<ResourceNotificationService>(), layout, sinceStart));
builder.Build().Run();

// Aspire would have Kestrel listen on "localhost" (IPv4 and IPv6); Orka binds 127.0.0.1 only.
static void BindToLoopback(IResourceBuilder<ProjectResource> project)
{
    var http = project.GetEndpoint("http");
    project.WithEnvironment("ASPNETCORE_URLS", ReferenceExpression.Create($"http://127.0.0.1:{http.Property(EndpointProperty.TargetPort)}"));
}
