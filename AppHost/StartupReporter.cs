using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Orka.AppHost;

/// <summary>
/// Tells the person who ran the AppHost when the cluster can be used: one line once every silo and
/// the gateway are healthy (Aspire's health checks), the gateway's REST API counts every node
/// active, and every node's Kafka listener answers ApiVersions; until then, a progress line every
/// <see cref="ProgressInterval"/> naming what is still missing, and after <see cref="SlowAfter"/> a
/// warning that says so (it keeps checking: a slow machine may still get there).
/// </summary>
internal sealed class StartupReporter(ResourceNotificationService notifications, OrkaLayout layout, Stopwatch sinceStart) : BackgroundService
{
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan SlowAfter = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, string> _states = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var resources = layout.Resources;
        var watch = WatchAsync(resources, stoppingToken);
        using var http = new HttpClient { BaseAddress = new Uri(layout.ConsoleUrl), Timeout = TimeSpan.FromSeconds(5) };
        var nextProgress = ProgressInterval;
        var warned = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var missing = await MissingAsync(resources, http, stoppingToken);
                if (missing.Count == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Orka: ready in {sinceStart.Elapsed.TotalSeconds:0.0} s — {layout.Nodes} nodes, console {layout.ConsoleUrl}, Kafka {layout.Bootstrap}, gateways {layout.Gateways}"));
                    return;
                }

                var elapsed = sinceStart.Elapsed;
                if (!warned && elapsed >= SlowAfter)
                {
                    warned = true;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Orka: not ready after {elapsed.TotalSeconds:0} s; still missing: {string.Join(", ", missing)} (each resource's console log is in the dashboard)"));
                    nextProgress = elapsed + (ProgressInterval * 3);
                }
                else if (elapsed >= nextProgress)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Orka: starting ({elapsed.TotalSeconds:0} s): waiting for {string.Join(", ", missing)}"));
                    nextProgress = elapsed + (warned ? ProgressInterval * 3 : ProgressInterval);
                }

                await Task.Delay(ProbeInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await watch;
        }
    }

    /// <summary>What is not ready yet, in the order a reader would check it; empty when the cluster is usable.</summary>
    private async Task<List<string>> MissingAsync(IReadOnlyList<string> resources, HttpClient http, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        lock (_states)
        {
            foreach (var resource in resources)
            {
                var state = _states.GetValueOrDefault(resource, "not started");
                if (state != "healthy")
                {
                    missing.Add($"{resource} ({state})");
                }
            }
        }

        if (missing.Count > 0)
        {
            return missing; // the probes below would only fail the same way
        }

        var active = await ActiveNodesAsync(http, cancellationToken);
        if (active < layout.Nodes)
        {
            missing.Add(active < 0 ? "the gateway's REST API" : $"nodes joining the cluster ({active} of {layout.Nodes} active)");
        }

        foreach (var port in layout.KafkaPorts)
        {
            if (!await KafkaProbe.AnswersAsync(port, TimeSpan.FromSeconds(5), cancellationToken))
            {
                missing.Add($"Kafka 127.0.0.1:{port}");
            }
        }

        return missing;
    }

    /// <summary>Active nodes as the gateway's <c>/api/cluster/health</c> counts them; -1 when it does not answer.</summary>
    private static async Task<int> ActiveNodesAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            var health = await http.GetFromJsonAsync<ClusterHealth>("api/cluster/health", cancellationToken);
            return health?.ActiveNodes ?? -1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            return -1;
        }
    }

    /// <summary>Keeps each resource's latest state: "healthy", or its Aspire state (Starting, Waiting, Running (unhealthy), Exited…).</summary>
    private async Task WatchAsync(IReadOnlyList<string> resources, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(cancellationToken))
            {
                if (!resources.Contains(e.Resource.Name))
                {
                    continue;
                }

                var snapshot = e.Snapshot;
                var state = snapshot.HealthStatus == HealthStatus.Healthy
                    ? "healthy"
                    : snapshot.State?.Text is { Length: > 0 } text
                        ? (text == KnownResourceStates.Running ? "running, not healthy yet" : text)
                        : "not started";
                lock (_states)
                {
                    _states[e.Resource.Name] = state;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private sealed record ClusterHealth(string Status, int ActiveNodes, int KnownNodes, int UnavailablePartitions);
}
