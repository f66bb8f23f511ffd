using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orka.Storage;

namespace Orka.Broker.Partitions;

/// <summary>
/// The node's <c>storage-space</c> health check (part of <c>/health</c>): Degraded while appends to
/// some partitions fail because the data directory's file system is full, naming them (at most
/// <see cref="MaxListed"/>, then a count) and the data directory; Healthy otherwise. Degraded, not
/// Unhealthy: the node still serves reads and every other partition, and recovers on its own.
/// </summary>
internal sealed class StorageHealthCheck(LogManager logs) : IHealthCheck
{
    /// <summary>The check's name in the health report.</summary>
    public const string Name = "storage-space";

    private const int MaxListed = 20;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        logs.Space.Recheck();
        var partitions = logs.Space.PartitionsOutOfSpace;
        if (partitions.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Appends are being written to {logs.DataDirectory}."));
        }

        var listed = string.Join(", ", partitions.Take(MaxListed)) + (partitions.Count > MaxListed ? $" and {partitions.Count - MaxListed} more" : "");
        var data = new Dictionary<string, object>
        {
            ["dataDirectory"] = logs.DataDirectory,
            ["partitions"] = partitions,
            ["since"] = logs.Space.OutOfSpaceSince?.ToString("O") ?? "",
        };
        return Task.FromResult(HealthCheckResult.Degraded(
            $"No space left on device on {logs.DataDirectory}: appends to {listed} fail (retriable) until space is freed.", data: data));
    }
}
