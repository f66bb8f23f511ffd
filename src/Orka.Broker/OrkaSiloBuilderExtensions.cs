using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Cluster;
using Orka.Broker.Groups;
using Orka.Broker.Metadata;
using Orka.Broker.Partitions;
using Orka.Broker.Placement;
using Orka.Broker.Telemetry;
using Orka.Broker.Topics;
using Orka.Storage;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orka.Broker;

/// <summary>Turns an Orleans silo into an Orka node.</summary>
public static class OrkaSiloBuilderExtensions
{
    /// <summary>
    /// Registers the broker: node identity (from the <c>Orka</c> configuration section, then
    /// <paramref name="configure"/>), this node's <see cref="LogManager"/>, partition placement by
    /// node, and the metadata store <see cref="MetadataStore.Name"/> chosen by <c>Orka:MetadataStore</c>
    /// (<see cref="MetadataStoreConfiguration"/>, then <paramref name="configureMetadataStore"/>): the
    /// embedded file store by default, or Azure Table/Blob storage.
    /// </summary>
    public static ISiloBuilder AddOrka(
        this ISiloBuilder builder, Action<OrkaNodeOptions>? configure = null, Action<MetadataStoreOptions>? configureMetadataStore = null)
    {
        var options = builder.Services.AddOptions<OrkaNodeOptions>().BindConfiguration(OrkaNodeOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddOptions<OrkaGroupOptions>().BindConfiguration(OrkaGroupOptions.SectionName);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<GroupLagMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => LogManager.Open(
            new LogManagerOptions
            {
                DataDirectory = sp.GetRequiredService<IOptions<OrkaNodeOptions>>().Value.ResolveDataDirectory(),
                MaxOpenSegmentFiles = sp.GetRequiredService<IOptions<OrkaNodeOptions>>().Value.MaxOpenSegmentFiles,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Orka.Storage")));
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<OrkaMetrics>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, LogManagerLifecycle>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DeletedTopicSweeper>();

        // The node id travels to every silo as the Orleans silo name (see NodeNames). PostConfigure:
        // it must win over hosts (such as the test cluster) that name silos themselves.
        builder.Services.AddOptions<SiloOptions>()
            .PostConfigure<IOptions<OrkaNodeOptions>>((silo, orka) => silo.SiloName = NodeNames.SiloName(orka.Value.NodeId));
        builder.Services.AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();

        builder.AddOrkaMetadataStore(configureMetadataStore);
        builder.AddOrkaTracing();
        builder.AddIncomingGrainCallFilter<MetadataErrorFilter>();
        return builder;
    }

    /// <summary>
    /// The provider is picked while the silo is being built (it decides which services exist), so it
    /// is read from configuration here rather than through <see cref="IOptions{TOptions}"/>.
    /// </summary>
    private static void AddOrkaMetadataStore(this ISiloBuilder builder, Action<MetadataStoreOptions>? configure)
    {
        var configuration = MetadataStoreConfiguration.Read(builder.Configuration);
        var store = configuration.Options;
        configure?.Invoke(store);
        if (configuration.DeprecationWarning is { } warning)
        {
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                new DeprecatedConfigurationWarning(warning, sp.GetRequiredService<ILogger<DeprecatedConfigurationWarning>>()));
        }

        // Every provider writes Orleans' binary serialization, as the file store does: the state types
        // (immutable collections, records) round-trip exactly, and the serializer is version tolerant.
        switch (store.Provider)
        {
            case MetadataStoreProvider.Local:
                builder.Services.AddGrainStorage(MetadataStore.Name, (sp, _) => new FileMetadataStore(
                    sp.GetRequiredService<IOptions<OrkaNodeOptions>>().Value.ResolveMetadataDirectory(),
                    new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())));
                break;
            case MetadataStoreProvider.AzureTable:
                var tableConnection = RequireConnectionString(configuration);
                builder.AddAzureTableGrainStorage(MetadataStore.Name, (OptionsBuilder<AzureTableStorageOptions> o) => o.Configure<Serializer>((table, serializer) =>
                {
                    table.TableName = store.TableName;
                    table.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                    table.TableServiceClient = new TableServiceClient(tableConnection);
                }));
                break;
            case MetadataStoreProvider.AzureBlob:
                var blobConnection = RequireConnectionString(configuration);
                builder.AddAzureBlobGrainStorage(MetadataStore.Name, (OptionsBuilder<AzureBlobStorageOptions> o) => o.Configure<Serializer>((blob, serializer) =>
                {
                    blob.ContainerName = store.ContainerName;
                    blob.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                    blob.BlobServiceClient = new BlobServiceClient(blobConnection);
                }));
                break;
            default:
                throw new InvalidOperationException($"{configuration.Key("Provider")} must be Local, AzureTable or AzureBlob; got '{store.Provider}'.");
        }
    }

    private static string RequireConnectionString(MetadataStoreConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration.Options.ConnectionString)
            ? throw new InvalidOperationException($"{configuration.Key("Provider")}={configuration.Options.Provider} needs {configuration.Key("ConnectionString")}.")
            : configuration.Options.ConnectionString;
}
