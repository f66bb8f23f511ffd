using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orka.Client;

namespace Orka.Cli.Tests;

public sealed class CrashTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-crash-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Intent: every record acknowledged with acks=all survives a SIGKILL of its node, and the node
    // comes back on the same data.
    [Fact]
    public async Task Silo_KilledWhileProducingAcksAll_EveryAcknowledgedRecordSurvives()
    {
        var ports = FreePorts.Take(2);
        var gateway = $"127.0.0.1:{ports[1]}";
        var data = Path.Combine(_root, "node-0");
        var acked = new ConcurrentDictionary<int, bool>();
        var sent = 0;

        using (var silo = SiloProcess.Start(data, ports[0], ports[1]))
        {
            // 1. The node is up and the topic exists.
            await UntilAsync(async () => (await OrkaCli.RunAsync(gateway, null, "topics", "create", "crash", "--partitions", "3")).ExitCode == 0, "the node to accept a topic");

            // 2. Waves of acks=all records; each completed wave is acknowledged (flushed).
            using var client = await ConnectAsync(gateway);
            var producer = new OrkaProducer(client.Services.GetRequiredService<IClusterClient>(), new ProducerOptions { Acks = Acks.All, BatchSize = 2048 });
            List<Task> wave = [];
            for (var w = 0; w < 6; w++)
            {
                wave = Enumerable.Range(0, 300).Select(_ => Send(producer, sent++, acked)).ToList();
                if (w < 5)
                {
                    await Task.WhenAll(wave);
                }
            }

            Assert.Equal(1500, acked.Count);

            // 3. SIGKILL while the last wave is in flight; whatever it got acknowledged counts too.
            silo.Kill();
            await Task.WhenAll(wave).WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(_ => { }, TaskScheduler.Default);
            await client.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        // 4. The node restarts on the same directory; every acknowledged record is there, once.
        using (SiloProcess.Start(data, ports[0], ports[1]))
        {
            await UntilAsync(async () => (await OrkaCli.RunAsync(gateway, null, "topics", "list")).ExitCode == 0, "the restarted node to answer");
            var consumed = await OrkaCli.RunAsync(gateway, null, "consume", "crash", "--from-beginning", "--timeout-ms", "5000");
            Assert.True(consumed.ExitCode == 0, consumed.Stderr);
            var values = consumed.Lines.Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(values.Count, values.Distinct().Count());
            Assert.Empty(acked.Keys.Except(values));
            Assert.All(values, v => Assert.InRange(v, 0, sent - 1));
        }
    }

    private static async Task Send(OrkaProducer producer, int value, ConcurrentDictionary<int, bool> acked)
    {
        await producer.ProduceAsync("crash", null, Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
        acked[value] = true;
    }

    private static async Task<IHost> ConnectAsync(string gateway)
    {
        var host = new HostBuilder()
            .UseOrleansClient(c => c.UseOrkaGateways(OrkaEndpoints.ParseGateways(gateway)))
            .ConfigureLogging(l => l.ClearProviders())
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Retries <paramref name="condition"/> until it holds, for at most 90 s.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(250);
        }
    }
}
