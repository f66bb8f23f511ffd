using System.Buffers.Binary;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Hosting;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Tests;

/// <summary>Its own node with <c>MaxConnections=12</c> and <c>MaxConnectionsPerIp=8</c>.</summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private const int MaxConnections = 12;
    private const int MaxPerIp = 8;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("orka-kafka-conn-").FullName;
    private WebApplication? _node;

    private KafkaEndpoint Endpoint => _node!.Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint!;

    private KafkaConnectionLimiter Limiter => _node!.Services.GetRequiredService<KafkaListener>().Connections!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _node = await KafkaClusterFixture.StartNodeAsync(_root, 0, ports[0], ports[1], ports[0],
            $"--Orka:Kafka:MaxConnections={MaxConnections}", $"--Orka:Kafka:MaxConnectionsPerIp={MaxPerIp}");
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

    private static async Task<bool> IsServedAsync(RawKafkaConnection connection, int correlationId)
    {
        await connection.SendAsync(RawKafkaConnection.Frame((short)ApiKey.ApiVersions, 0, correlationId, _ => { }));
        var response = await connection.ReceiveAsync(Generous);
        return response is not null && BinaryPrimitives.ReadInt32BigEndian(response) == correlationId;
    }

    // Intent: idle connections past the per-address and total limits (probe: 20,600 took the node down) are closed at once; those within are served, and a freed place is usable again.
    [Fact]
    public async Task ConnectionsPastLimits_ClosedAtOnce_OthersServed()
    {
        var open = new List<RawKafkaConnection>();
        try
        {
            var first = IPAddress.Parse("127.0.0.2");
            var second = IPAddress.Parse("127.0.0.3");
            for (var i = 0; i < MaxPerIp; i++)
            {
                open.Add(await RawKafkaConnection.OpenAsync(Endpoint, first));
            }

            await Eventually.HoldsAsync(() => Task.FromResult(Limiter.Open == MaxPerIp), Generous, $"{MaxPerIp} connections to be counted");
            await using (var overPerIp = await RawKafkaConnection.OpenAsync(Endpoint, first))
            {
                Assert.True(await overPerIp.IsClosedByServerAsync(Generous), "A connection past the per-address limit should be closed.");
            }

            for (var i = 0; i < MaxConnections - MaxPerIp; i++)
            {
                open.Add(await RawKafkaConnection.OpenAsync(Endpoint, second));
            }

            await Eventually.HoldsAsync(() => Task.FromResult(Limiter.Open == MaxConnections), Generous, $"{MaxConnections} connections to be counted");
            await using (var overTotal = await RawKafkaConnection.OpenAsync(Endpoint, IPAddress.Parse("127.0.0.4")))
            {
                Assert.True(await overTotal.IsClosedByServerAsync(Generous), "A connection past the total limit should be closed.");
            }

            Assert.Equal(2, Limiter.Refused);
            Assert.True(await IsServedAsync(open[0], 1), "A connection within the limits should be served.");
            Assert.True(await IsServedAsync(open[^1], 2), "A connection within the limits should be served.");

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await Eventually.HoldsAsync(() => Task.FromResult(Limiter.Open == MaxConnections - 1), Generous, "the closed connection to be uncounted");
            await using var again = await RawKafkaConnection.OpenAsync(Endpoint, first);
            Assert.True(await IsServedAsync(again, 3), "A place freed by a closed connection should take a new one.");
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
