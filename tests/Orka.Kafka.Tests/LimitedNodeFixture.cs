using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Hosting;

namespace Orka.Kafka.Tests;

/// <summary>
/// One node of its own with small request limits, for the hostile-client tests: frames up to 6 MiB,
/// an 8 MiB request memory budget, a 3-second request read timeout.
/// </summary>
public sealed class LimitedNodeFixture : IAsyncLifetime
{
    public const int MaxRequestBytes = 6 * 1024 * 1024;
    public const long Budget = 8 * 1024 * 1024;

    private readonly string _root = Directory.CreateTempSubdirectory("orka-kafka-limits-").FullName;
    private WebApplication? _node;

    public KafkaEndpoint Endpoint => Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint!;

    public IServiceProvider Services => _node!.Services;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public RequestMemoryBudget RequestBudget => Services.GetRequiredService<RequestMemoryBudget>();

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _node = await KafkaClusterFixture.StartNodeAsync(_root, 0, ports[0], ports[1], ports[0],
            $"--Orka:Kafka:MaxRequestBytes={MaxRequestBytes}",
            $"--Orka:Kafka:QueuedMaxRequestBytes={Budget}",
            "--Orka:Kafka:RequestReadTimeout=00:00:03");
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.StopAsync();
            await _node.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }
}
