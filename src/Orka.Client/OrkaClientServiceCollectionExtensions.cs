using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Orka.Client;

/// <summary>
/// Adds the Orka client to an application: an Orleans client connected to the cluster (started and
/// stopped with the host), <see cref="OrkaAdmin"/> and <see cref="OrkaClientFactory"/>.
/// </summary>
public static class OrkaClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds the client with static gateways (<see cref="OrkaClientOptions.Gateways"/>, default
    /// <see cref="OrkaEndpoints.DefaultGateways"/>) through Orleans' <c>AddOrleansClient</c>.
    /// </summary>
    public static IServiceCollection AddOrkaClient(this IServiceCollection services, Action<OrkaClientOptions>? configure = null)
    {
        var options = new OrkaClientOptions();
        configure?.Invoke(options);
        services.AddOrleansClient(client => ConfigureOrleans(client, options, useConfiguredClustering: false));
        return AddOrkaServices(services, options);
    }

    /// <summary>
    /// Adds the client through Orleans' <c>UseOrleansClient</c>, from the <c>Orka:Client</c> section
    /// and then <paramref name="configure"/>. Without gateways, Orleans' own <c>Orleans:Clustering</c>
    /// configuration (say, <c>ProviderType=AzureTableStorage</c>) finds the silos when present.
    /// </summary>
    public static IHostApplicationBuilder AddOrkaClient(this IHostApplicationBuilder builder, Action<OrkaClientOptions>? configure = null)
    {
        // Orleans' own ids, when configured, are the defaults: the client must match the silos.
        var options = new OrkaClientOptions
        {
            ClusterId = builder.Configuration["Orleans:ClusterId"] ?? "orka",
            ServiceId = builder.Configuration["Orleans:ServiceId"] ?? "orka",
        };
        builder.Configuration.GetSection(OrkaClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        var configuredClustering = !string.IsNullOrEmpty(builder.Configuration["Orleans:Clustering:ProviderType"]);
        builder.UseOrleansClient(client => ConfigureOrleans(client, options, configuredClustering));
        AddOrkaServices(builder.Services, options);
        return builder;
    }

    private static void ConfigureOrleans(IClientBuilder client, OrkaClientOptions options, bool useConfiguredClustering)
    {
        if (options.Gateways.Count > 0 || !useConfiguredClustering)
        {
            var gateways = options.Gateways.Count > 0 ? string.Join(',', options.Gateways) : OrkaEndpoints.DefaultGateways;
            client.UseStaticClustering([.. OrkaEndpoints.ParseGateways(gateways)]);
        }

        client.AddActivityPropagation();

        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
    }

    private static IServiceCollection AddOrkaServices(IServiceCollection services, OrkaClientOptions options)
    {
        services.AddOptions<OrkaClientOptions>().Configure(o =>
        {
            o.Gateways = options.Gateways;
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
            o.Producer = options.Producer;
            o.Consumer = options.Consumer;
        });
        services.TryAddSingleton(sp => new OrkaAdmin(sp.GetRequiredService<IClusterClient>()));
        services.TryAddSingleton<OrkaClientFactory>();
        return services;
    }
}
