namespace Orka.Client.Producer;

/// <summary>
/// What the producer asks of the cluster: a topic's metadata (once per topic), an idempotent
/// producer id (once), and one call per batch. Never called per record. The real one is
/// <see cref="OrleansProducerCluster"/>; tests of batching put a fake in its place.
/// </summary>
internal interface IProducerCluster
{
    /// <summary>The topic's metadata; throws UnknownTopicOrPartition when it does not exist.</summary>
    Task<TopicMetadata> GetTopicAsync(string topic);

    /// <summary>A new producer id and epoch for idempotent batches.</summary>
    Task<ProducerIdentity> InitProducerIdAsync();

    /// <summary>Appends one encoded batch to the partition; completes when it is as durable as <paramref name="acks"/> asks.</summary>
    Task<ProduceResult> ProduceAsync(TopicPartition partition, ReadOnlyMemory<byte> batch, Acks acks);
}

/// <summary>The producer's cluster over an Orleans client: the topic grains (through <see cref="OrkaAdmin"/>), the producer-id grain and the partition grains.</summary>
internal sealed class OrleansProducerCluster(IClusterClient client) : IProducerCluster
{
    public Task<TopicMetadata> GetTopicAsync(string topic) => new OrkaAdmin(client).GetTopicAsync(topic);

    public Task<ProducerIdentity> InitProducerIdAsync() => client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync();

    public Task<ProduceResult> ProduceAsync(TopicPartition partition, ReadOnlyMemory<byte> batch, Acks acks) =>
        client.GetPartitionGrain(partition).ProduceAsync(batch, acks);
}
