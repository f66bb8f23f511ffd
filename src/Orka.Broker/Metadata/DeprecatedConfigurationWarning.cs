using Microsoft.Extensions.Logging;

namespace Orka.Broker.Metadata;

/// <summary>Logs, once when the silo starts, a warning about configuration that still works but is deprecated.</summary>
internal sealed class DeprecatedConfigurationWarning(string warning, ILogger<DeprecatedConfigurationWarning> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeprecatedConfigurationWarning), ServiceLifecycleStage.First, _ =>
        {
            logger.LogWarning("Deprecated configuration: {Warning}", warning);
            return Task.CompletedTask;
        });
}
