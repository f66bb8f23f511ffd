using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orka.Storage;

namespace Orka.Silo;

/// <summary>
/// <c>storage-integrity</c>: Degraded while this node knows of corrupt data in a partition it holds
/// (found by a fetch or by <c>orka partitions verify</c>), naming each partition and its bad offsets.
/// The node keeps serving every other offset, so it is not Unhealthy; a repair or a restart clears it.
/// </summary>
internal sealed class StorageIntegrityHealthCheck(LogManager logs) : IHealthCheck
{
    public const string Name = "storage-integrity";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var corrupt = logs.KnownCorruption();
        if (corrupt.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        var partitions = corrupt.Select(p => $"{p.Topic}-{p.Partition} (offsets {string.Join(", ", p.Ranges.Select(r => $"{r.FirstOffset}..{r.LastOffset}"))})");
        var data = corrupt.ToDictionary(p => $"{p.Topic}-{p.Partition}", p => (object)p.Ranges.Count);
        return Task.FromResult(HealthCheckResult.Degraded($"Corrupt data in {string.Join("; ", partitions)}", data: data));
    }
}
