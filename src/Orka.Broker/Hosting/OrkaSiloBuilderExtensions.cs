using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orka.Broker.Metadata;
using Orka.Broker.Placement;
using Orka.Storage;

namespace Orka.Broker.Hosting;

/// <summary>Turns an Orleans silo into an Orka node.</summary>
public static class OrkaSiloBuilderExtensions
{
    /// <summary>
    /// Registers the broker: node identity (from the <c>Orka</c> configuration section, then
    /// <paramref name="configure"/>), this node's <see cref="LogManager"/>, partition placement by
    /// node, and the embedded file metadata store as <see cref="OrkaStorage.Name"/>.
    /// </summary>
    public static ISiloBuilder AddOrka(this ISiloBuilder builder, Action<OrkaNodeOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<OrkaNodeOptions>().BindConfiguration(OrkaNodeOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddOptions<OrkaGroupOptions>().BindConfiguration(OrkaGroupOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => LogManager.Open(
            new LogManagerOptions { DataDirectory = sp.GetRequiredService<IOptions<OrkaNodeOptions>>().Value.ResolveDataDirectory() },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Orka.Storage")));
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, LogManagerLifecycle>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DeletedTopicSweeper>();

        // The node id travels to every silo as the Orleans silo name (see NodeNames). PostConfigure:
        // it must win over hosts (such as the test cluster) that name silos themselves.
        builder.Services.AddOptions<SiloOptions>()
            .PostConfigure<IOptions<OrkaNodeOptions>>((silo, orka) => silo.SiloName = NodeNames.SiloName(orka.Value.NodeId));
        builder.Services.AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();

        builder.Services.AddGrainStorage(OrkaStorage.Name, (sp, _) => new FileGrainStorage(
            sp.GetRequiredService<IOptions<OrkaNodeOptions>>().Value.ResolveMetadataDirectory(),
            new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())));
        return builder;
    }
}
