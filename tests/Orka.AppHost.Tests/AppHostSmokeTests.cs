using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orka.Client;

namespace Orka.AppHost.Tests;

public sealed class AppHostSmokeTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    // Intent: the AppHost prints its ready line once the whole local cluster is usable, and at that
    // moment (no further waiting) a topic is created, produced and consumed through it and every
    // node's Kafka listener answers.
    [Fact]
    public async Task AppHost_ReadyLine_ClusterWorksWhenItIsPrinted()
    {
        // The AppHost's http launch profile: plain http on loopback, no certificate.
        Environment.SetEnvironmentVariable("DOTNET_LAUNCH_PROFILE", "http");
        Environment.SetEnvironmentVariable("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        var root = Directory.CreateTempSubdirectory("orka-apphost-").FullName;
        var siloBase = ConsecutiveFreePorts(3);
        var gatewayBase = ConsecutiveFreePorts(3);
        var httpPort = ConsecutiveFreePorts(1);
        var kafkaBase = ConsecutiveFreePorts(3);
        using var cts = new CancellationTokenSource(StartTimeout);
        var console = new ConsoleCapture();
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                $"--Orka:DataRoot={root}",
                $"--Orka:SiloPortBase={siloBase}",
                $"--Orka:GatewayPortBase={gatewayBase}",
                $"--Orka:GatewayHttpPort={httpPort}",
                $"--Orka:KafkaPortBase={kafkaBase}",
            ], cts.Token);
            await using var app = await builder.BuildAsync(cts.Token);
            await app.StartAsync(cts.Token);
            var ready = await console.WaitForLineAsync(l => l.StartsWith("Orka: ready in ", StringComparison.Ordinal), cts.Token);
            Assert.Matches(@"^Orka: ready in \d+\.\d s — 3 nodes, console http://127\.0\.0\.1:\d+/, Kafka ", ready);
            Assert.Contains($"console http://127.0.0.1:{httpPort}/", ready, StringComparison.Ordinal);
            Assert.Contains($"Kafka 127.0.0.1:{kafkaBase},127.0.0.1:{kafkaBase + 1},127.0.0.1:{kafkaBase + 2}", ready, StringComparison.Ordinal);

            using var clientHost = new HostBuilder()
                .UseOrleansClient(c => c.UseOrkaGateways(
                    OrkaEndpoints.ParseGateways(string.Join(",", Enumerable.Range(0, 3).Select(i => $"127.0.0.1:{gatewayBase + i}")))))
                .Build();
            await clientHost.StartAsync(cts.Token);
            var client = clientHost.Services.GetRequiredService<IClusterClient>();

            var admin = new OrkaAdmin(client);
            Assert.Equal(3, (await admin.ListNodesAsync()).Count(n => n.Status == "Active"));
            var metadata = await admin.CreateTopicAsync("smoke", 6);
            Assert.Equal([0, 1, 2], metadata.Leaders().Distinct().Order());

            await using (var producer = new OrkaProducer(client))
            {
                var sends = Enumerable.Range(0, 600).Select(i => producer.ProduceAsync("smoke", null, Encoding.UTF8.GetBytes($"{i}"))).ToList();
                await producer.FlushAsync();
                await Task.WhenAll(sends);
            }

            var consumer = new OrkaConsumer(client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
            await consumer.AssignAsync("smoke");
            var values = new List<int>();
            await foreach (var record in consumer.ConsumeAsync(cts.Token))
            {
                values.Add(int.Parse(Encoding.UTF8.GetString(record.Value!.Value.Span), System.Globalization.CultureInfo.InvariantCulture));
                if (values.Count == 600)
                {
                    break;
                }
            }

            Assert.Equal(Enumerable.Range(0, 600), values.Order());

            // Each partition's data is in the directory of the node that holds it.
            for (var p = 0; p < 6; p++)
            {
                Assert.True(Directory.Exists(Path.Combine(root, $"node-{metadata.Leaders()[p]}", $"smoke-{p}")));
            }

            // Every node's Kafka listener answers: an ApiVersions request on each port gets a well-formed reply.
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await KafkaAnswersAsync(kafkaBase + i, cts.Token), $"Kafka port {kafkaBase + i} of node {i} did not answer ApiVersions.");
            }

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            var topics = await http.GetFromJsonAsync<TopicPage>("/api/topics", cts.Token);
            Assert.Contains(topics!.Items, t => t.Name == "smoke" && t.Partitions == 6);

            // The gateway serves its web console at "/", and the dashboard links to it by name.
            Assert.Contains("<title>Orka console</title>", await http.GetStringAsync("/", cts.Token));
            var gateway = await app.ResourceNotifications.WaitForResourceAsync(
                "gateway", e => e.Snapshot.Urls.Any(u => u.DisplayProperties.DisplayName == "Orka console"), cts.Token);
            Assert.Contains(gateway.Snapshot.Urls, u => u.DisplayProperties.DisplayName == "Orka console" && u.Url == $"http://127.0.0.1:{httpPort}/");

            await clientHost.StopAsync(cts.Token);
        }
        finally
        {
            console.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record TopicSummary(string Name, int Partitions);

    private sealed record TopicPage(List<TopicSummary> Items, string? NextCursor);

    /// <summary>Sends a Kafka ApiVersions v0 request (correlation id 7) and checks the reply's correlation id and error code 0.</summary>
    private static async Task<bool> KafkaAnswersAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = socket.GetStream();
        // size 10 | api key 18 | version 0 | correlation 7 | client id "" (int16 0)
        byte[] request = [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0, 0];
        await stream.WriteAsync(request, cancellationToken);
        var head = new byte[10];
        await stream.ReadExactlyAsync(head, cancellationToken);
        var correlation = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
        var error = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(head.AsSpan(8));
        return correlation == 7 && error == 0;
    }

    /// <summary>A base port such that base..base+count-1 are all free on 127.0.0.1 right now.</summary>
    private static int ConsecutiveFreePorts(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var start = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var l = new TcpListener(IPAddress.Loopback, start + i);
                    l.Start();
                    listeners.Add(l);
                }

                return start;
            }
            catch (SocketException)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports found.");
    }
}
