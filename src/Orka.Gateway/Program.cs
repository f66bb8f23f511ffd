using Orka.Client;
using Orka.Gateway;

// The gateway: Orka's REST API (and, later, the web console); an Orleans client of the cluster.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.UseOrleansClient(client =>
{
    // Orleans:Clustering:* configuration (as the AppHost sets it) wins; else Orka:Gateways.
    if (string.IsNullOrEmpty(builder.Configuration["Orleans:Clustering:ProviderType"]))
    {
        client.UseOrkaGateways(OrkaEndpoints.ParseGateways(builder.Configuration["Orka:Gateways"] ?? OrkaEndpoints.DefaultGateways));
    }
});
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapOrkaApi();
app.Run();
