using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orka.Kafka.Hosting;

namespace Orka.Kafka.Tests;

/// <summary>Its own two-node cluster, because it stops and restarts a node.</summary>
public sealed class NodeDownTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _root = Directory.CreateTempSubdirectory("orka-kafka-down-").FullName;
    private readonly int[] _ports = FreePorts.Take(4);
    private WebApplication? _node0;
    private WebApplication? _node1;

    public async Task InitializeAsync()
    {
        _node0 = await KafkaClusterFixture.StartNodeAsync(_root, 0, _ports[0], _ports[1], _ports[0]);
        _node1 = await KafkaClusterFixture.StartNodeAsync(_root, 1, _ports[2], _ports[3], _ports[0]);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { _node1, _node0 })
        {
            if (node is not null)
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }
        }

        Directory.Delete(_root, recursive: true);
    }

    private static KafkaEndpoint EndpointOf(WebApplication node) => node.Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint!;

    // Intent: Metadata tells the truth when a node stops (it leaves the broker list, its partitions have no leader) and when it returns.
    [Fact]
    public async Task NodeStopsAndReturns_MetadataFollowsMembership()
    {
        var bootstrap0 = $"{EndpointOf(_node0!).Host}:{EndpointOf(_node0!).Port}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap0 }).Build();
        await Eventually.HoldsAsync(() => Task.FromResult(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Count == 2), Patience, "node 0 to list both brokers");
        var topic = Clients.Topic("down");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        var nodes = (await _node0!.Services.GetRequiredService<IGrainFactory>().GetGrain<ITopicGrain>(topic).GetMetadataAsync())!.Leaders();
        Assert.Contains(1, nodes);

        await _node1!.StopAsync();
        await _node1.DisposeAsync();
        _node1 = null;
        await Eventually.HoldsAsync(() => Task.FromResult(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Count == 1), Patience, "node 0 to drop the stopped node from its broker list");
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.OrderBy(p => p.PartitionId).ToList();
        Assert.Equal(nodes.Select(n => n == 1 ? -1 : 0), partitions.Select(p => p.Leader));

        _node1 = await KafkaClusterFixture.StartNodeAsync(_root, 1, _ports[2], _ports[3], _ports[0]);
        await Eventually.HoldsAsync(() => Task.FromResult(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Any(b => b.BrokerId == 1 && b.Port == EndpointOf(_node1).Port)),
            Patience, "the restarted node to be listed with its new Kafka port");
        partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.OrderBy(p => p.PartitionId).ToList();
        Assert.Equal(nodes, partitions.Select(p => p.Leader));

        // A producer reaches the returned node's partitions again.
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap0, EnableIdempotence = true }).Build();
        var partition = nodes.IndexOf(1);
        var delivered = await producer.ProduceAsync(new Confluent.Kafka.TopicPartition(topic, partition), new Message<string, string> { Key = "k", Value = "back" });
        Assert.Equal(0, delivered.Offset.Value);
    }
}
