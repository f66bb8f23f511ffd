using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Orka.Kafka.Tests;

/// <summary>Confluent.Kafka (librdkafka) clients pointed at the fixture, with settings that keep tests quick.</summary>
internal static class Clients
{
    public static AdminClientConfig Admin(KafkaClusterFixture cluster) => new() { BootstrapServers = cluster.BootstrapServers };

    public static ProducerConfig Producer(KafkaClusterFixture cluster, CompressionType compression = CompressionType.None) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        EnableIdempotence = true,
        Acks = Confluent.Kafka.Acks.All,
        CompressionType = compression,
        LingerMs = 5,
    };

    public static ConsumerConfig Consumer(KafkaClusterFixture cluster, string groupId) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6000,
        HeartbeatIntervalMs = 500,
    };

    public static string Topic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    /// <summary>Creates a topic with a unique name starting with <paramref name="prefix"/> through the Kafka admin API.</summary>
    public static async Task<string> CreateTopicAsync(KafkaClusterFixture cluster, string prefix, int partitions)
    {
        using var admin = new AdminClientBuilder(Admin(cluster)).Build();
        var topic = Topic(prefix);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return topic;
    }
}
