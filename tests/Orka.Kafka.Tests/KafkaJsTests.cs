using System.Diagnostics;
using System.Text.Json;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class KafkaJsTests(KafkaClusterFixture cluster)
{
    private sealed record Received(int Member, int Partition, long Offset, string Value);

    private sealed record Outcome(bool Listed, List<Received> Received, Dictionary<string, int> Members, long CommittedTotal);

    // Intent: a non-librdkafka client (KafkaJS 2.2.4) creates a topic, produces idempotently and consumes in a two-member group with commits.
    [Fact]
    public async Task KafkaJs_ProduceAndGroupConsume_EveryRecordInPartitionOrder()
    {
        const int Count = 1000;
        var js = Path.Combine(AppContext.BaseDirectory, "js");
        var script = Path.Combine(js, "roundtrip.js");
        Assert.True(File.Exists(Path.Combine(js, "node_modules", "kafkajs", "package.json")),
            $"KafkaJS is not installed in {js}: run `npm install --prefix tests/Orka.Kafka.Tests/js` (as .ci/run does) and rebuild.");
        var start = new ProcessStartInfo("node", $"\"{script}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = js,
        };
        start.Environment["BOOTSTRAP"] = cluster.BootstrapServers;
        start.Environment["TOPIC"] = Clients.Topic("kjs");
        start.Environment["GROUP"] = Clients.Topic("kjsg");
        start.Environment["COUNT"] = Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node (Node.js) is not installed.");
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await node.WaitForExitAsync(cts.Token);
        Assert.True(node.ExitCode == 0, $"KafkaJS failed ({node.ExitCode}): {await error}");

        var outcome = JsonSerializer.Deserialize<Outcome>(await output, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        Assert.True(outcome.Listed);
        Assert.Equal(Enumerable.Range(0, Count), outcome.Received.Select(r => int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture)).Order());
        foreach (var partition in outcome.Received.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(r => r.Offset).Order());
        }

        Assert.Equal(Count, outcome.CommittedTotal);
    }
}
