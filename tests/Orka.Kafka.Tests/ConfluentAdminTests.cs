using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Orka.Kafka.Tests;

[Collection(KafkaClusterCollection.Name)]
public sealed class ConfluentAdminTests(KafkaClusterFixture cluster)
{
    // Intent: the tests run the Confluent.Kafka package's own librdkafka 2.16, not a system copy.
    [Fact]
    public void Librdkafka_IsThePackagesOwn_2_16()
    {
        Assert.StartsWith("2.16", Library.VersionString, StringComparison.Ordinal);
    }

    // Intent: Metadata lists every live silo as a broker and each partition's leader is the node that holds it.
    [Fact]
    public async Task Metadata_ListsLiveSilosAndPartitionLeaders()
    {
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var topic = Clients.Topic("meta");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);

        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal(cluster.Endpoints.Select(e => (e.NodeId, e.Port)), metadata.Brokers.OrderBy(b => b.BrokerId).Select(b => (b.BrokerId, b.Port)));
        var described = await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync();
        Assert.NotNull(described);
        var partitions = Assert.Single(metadata.Topics).Partitions.OrderBy(p => p.PartitionId).ToList();
        Assert.Equal(described.Leaders(), partitions.Select(p => p.Leader));
        Assert.Equal([0, 1], partitions.Select(p => p.Leader).Distinct().Order());
    }

    // Intent: DescribeCluster answers the live brokers and a controller among them.
    [Fact]
    public async Task DescribeCluster_ListsBothNodes()
    {
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var result = await admin.DescribeClusterAsync();
        Assert.Equal([0, 1], result.Nodes.Select(n => n.Id).Order());
        Assert.Contains(result.Controller.Id, new[] { 0, 1 });
    }

    // Intent: topics are created, grown, configured, described and deleted by a Kafka admin client.
    [Fact]
    public async Task AdminClient_CreateAlterDescribeDelete_TopicFollows()
    {
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var topic = Clients.Topic("admin");
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = 2,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" },
        }]);

        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        var configs = (await admin.DescribeConfigsAsync([resource])).Single().Entries;
        Assert.Equal("3600000", configs["retention.ms"].Value);

        await admin.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [resource] = [new ConfigEntry { Name = "retention.ms", Value = "7200000", IncrementalOperation = AlterConfigOpType.Set },
                              new ConfigEntry { Name = "segment.bytes", Value = "1048576", IncrementalOperation = AlterConfigOpType.Set }],
            });
        configs = (await admin.DescribeConfigsAsync([resource])).Single().Entries;
        Assert.Equal("7200000", configs["retention.ms"].Value);
        Assert.Equal("1048576", configs["segment.bytes"].Value);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 5 }]);
        Assert.Equal(5, (await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync())!.PartitionCount);

        await admin.DeleteTopicsAsync([topic]);
        Assert.Null(await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync());
    }

    // Intent: what Orka cannot do is refused with Kafka's specific error, and nothing is created.
    [Fact]
    public async Task CreateTopics_ReplicationFactorThreeOrExistingName_RefusedWithKafkaErrors()
    {
        using var admin = new AdminClientBuilder(Clients.Admin(cluster)).Build();
        var topic = Clients.Topic("refused");
        var e = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 3 }]));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, e.Results.Single().Error.Code);
        Assert.Null(await cluster.Grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync());

        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        e = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, e.Results.Single().Error.Code);

        var bad = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = Clients.Topic("badcfg"), NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["no.such.config"] = "1" } }]));
        Assert.Equal(ErrorCode.InvalidConfig, bad.Results.Single().Error.Code);
    }
}
