using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.FileProviders;
using Orka.Client;
using Orka.Gateway.Problems;
using Orka.Gateway.Throughput;

namespace Orka.Gateway;

/// <summary>
/// Builds the gateway: the REST API under <c>/api</c>, its OpenAPI document at
/// <c>/openapi/v1.json</c>, the web console at <c>/</c>, <c>/health</c> and <c>/alive</c>; an Orleans
/// client of the cluster (<c>Orka:Gateways</c>, or <c>Orleans:Clustering:*</c> when set).
/// </summary>
public static class GatewayHost
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.UseOrleansClient(client =>
        {
            // Orleans:Clustering:* configuration (as the AppHost sets it) wins; else Orka:Gateways.
            if (string.IsNullOrEmpty(builder.Configuration["Orleans:Clustering:ProviderType"]))
            {
                client.UseOrkaGateways(OrkaEndpoints.ParseGateways(builder.Configuration["Orka:Gateways"] ?? OrkaEndpoints.DefaultGateways));
            }
            else
            {
                client.AddActivityPropagation(); // UseOrkaGateways adds it in the other case
            }
        });

        var section = builder.Configuration.GetSection("Orka:Gateway");
        builder.Services.Configure<GatewayOptions>(section);
        var options = section.Get<GatewayOptions>() ?? new GatewayOptions();
        if (options.MaxRequestBodyBytes <= 0)
        {
            throw new InvalidOperationException($"Orka:Gateway:MaxRequestBodyBytes must be positive; got {options.MaxRequestBodyBytes}.");
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<OrkaExceptionHandler>();

        // Bad route or query values (a partition that is not a number) throw, so they reach the
        // one error mapping instead of becoming an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Orka gateway";
            document.Info.Description = "Topics, records, consumer groups and cluster state of an Orka cluster. Errors are application/problem+json with `code` (Kafka's error number), `error` and `retriable`.";
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton<ThroughputSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ThroughputSampler>());

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // The console: static files embedded in this assembly (Console/), index.html at "/".
        var console = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), "console");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = console });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = console });

        app.MapOpenApi(OpenApiPath);
        app.MapDefaultEndpoints();
        app.MapOrkaApi();
        return app;
    }
}
