using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Cluster;
using Orka.Broker.Telemetry;
using Orka.Storage;

namespace Orka.Broker.Partitions;

/// <summary>
/// Opens the node's <see cref="LogManager"/> before the silo takes traffic (a data directory that
/// cannot be opened stops the silo from starting) and closes every log after grains are gone; creates
/// the node's <see cref="OrkaMetrics"/> at the same time.
/// </summary>
internal sealed class LogManagerLifecycle(IServiceProvider services, IOptions<OrkaNodeOptions> options, ILogger<LogManagerLifecycle> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LogManagerLifecycle), ServiceLifecycleStage.RuntimeInitialize, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        var logs = services.GetRequiredService<LogManager>();
        // The Orka meter exists from the start, so the partitions gauge reports before any partition is used.
        services.GetRequiredService<OrkaMetrics>();
        logger.LogInformation(
            "Orka node {NodeId}: data directory {DataDirectory}, metadata directory {MetadataDirectory}",
            options.Value.NodeId, logs.DataDirectory, options.Value.ResolveMetadataDirectory());
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken) =>
        await services.GetRequiredService<LogManager>().DisposeAsync();
}
