using Confluent.Kafka;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class KcatTests(KafkaClusterFixture cluster)
{
    private Task<string> CreateTopicAsync(string prefix, int partitions) => Clients.CreateTopicAsync(cluster, prefix, partitions);

    // Intent: kcat -L shows both silos as brokers (node id, host:port) and the topic with its partition leaders.
    [Fact]
    public async Task KcatList_ShowsBrokersAndTopics()
    {
        var topic = await CreateTopicAsync("kcatl", 2);
        var (exit, output, error) = await Kcat.RunAsync($"-b {cluster.Endpoints[0].Host}:{cluster.Endpoints[0].Port} -L");
        Assert.True(exit == 0, error);
        Assert.Contains("2 brokers:", output, StringComparison.Ordinal);
        foreach (var endpoint in cluster.Endpoints)
        {
            Assert.Contains($"broker {endpoint.NodeId} at {endpoint.Host}:{endpoint.Port}", output, StringComparison.Ordinal);
        }

        Assert.Contains($"topic \"{topic}\" with 2 partitions:", output, StringComparison.Ordinal);
    }

    // Intent: lines produced by kcat come back from kcat, in order, per partition.
    [Fact]
    public async Task KcatProduceConsume_RoundTripsLines()
    {
        var topic = await CreateTopicAsync("kcatpc", 1);
        var lines = Enumerable.Range(0, 200).Select(i => $"line-{i}").ToList();
        var produced = await Kcat.RunAsync($"-b {cluster.BootstrapServers} -P -t {topic} -p 0", string.Join('\n', lines) + "\n");
        Assert.True(produced.ExitCode == 0, produced.Error);

        var consumed = await Kcat.RunAsync($"-b {cluster.BootstrapServers} -C -t {topic} -o beginning -e -q");
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        Assert.Equal(lines, consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    // Intent: kcat -G consumes as a group member through the group grain and commits its offsets there.
    [Fact]
    public async Task KcatGroupConsume_ReadsAllAndCommits()
    {
        var topic = await CreateTopicAsync("kcatg", 2);
        var group = Clients.Topic("kg");
        using (var producer = new ProducerBuilder<string, string>(Clients.Producer(cluster)).Build())
        {
            for (var i = 0; i < 50; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        // -e: exit once every assigned partition is at its end; auto commit every 100 ms, and on close.
        var consumed = await Kcat.RunAsync(
            $"-b {cluster.BootstrapServers} -G {group} -o beginning -e -q -X auto.commit.interval.ms=100 -X enable.partition.eof=true {topic}",
            timeout: TimeSpan.FromSeconds(90));
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"v{i}").Order(), consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());

        var committed = await cluster.Grains.GetGrain<IConsumerGroupGrain>(group).GetCommittedAsync(topic);
        Assert.Equal(50, committed.Sum(c => c.Offset));
    }
}
