using System.Buffers.Binary;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Hosting;

namespace Orka.Kafka.Tests;

/// <summary>Its own node with a one-second <c>Orka:Kafka:ConnectionsMaxIdle</c>.</summary>
public sealed class IdleConnectionTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-kafka-idle-").FullName;
    private WebApplication? _node;

    private KafkaEndpoint Endpoint => _node!.Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _node = await KafkaClusterFixture.StartNodeAsync(_root, 0, ports[0], ports[1], ports[0], "--Orka:Kafka:ConnectionsMaxIdle=00:00:01");
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

    // Intent: a connection that stalls mid-frame or sends nothing is closed after connections.max.idle, while an active one is served.
    [Fact]
    public async Task StalledAndSilentConnections_ClosedAfterIdleLimit()
    {
        await using var stalled = await RawKafkaConnection.OpenAsync(Endpoint);
        await using var silent = await RawKafkaConnection.OpenAsync(Endpoint);
        await stalled.SendAsync(new byte[] { 0, 0, 0, 100, 0, 18 }); // 6 of 104 bytes, then nothing
        Assert.True(await stalled.IsClosedByServerAsync(TimeSpan.FromSeconds(15)), "A connection stalled mid-frame should be closed.");
        Assert.True(await silent.IsClosedByServerAsync(TimeSpan.FromSeconds(15)), "A silent connection should be closed.");

        await using var active = await RawKafkaConnection.OpenAsync(Endpoint);
        await active.SendAsync(RawKafkaConnection.Frame(18, 0, 9, _ => { }));
        var response = await active.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(response));
    }
}
