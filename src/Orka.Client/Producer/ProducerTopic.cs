namespace Orka.Client.Producer;

/// <summary>
/// What the producer knows of one topic: its metadata (null until looked up), the most bytes a batch
/// may have, its partitions' batches (made on first use), its sticky partition for records without
/// a key, and the records produced before its metadata arrived. Touched under the producer's lock.
/// </summary>
internal sealed class ProducerTopic
{
    private int _stickyPartition = -1;

    public TopicMetadata? Metadata { get; private set; }

    /// <summary>The most bytes one batch may have (the batch size, or the topic's max.message.bytes when lower), set with the metadata.</summary>
    public int BatchLimit { get; private set; }

    /// <summary>The partitions' batches, made on first use; sized with the metadata.</summary>
    public PartitionBatches?[] Partitions { get; private set; } = [];

    /// <summary>The metadata look-up under way, if any (it never faults).</summary>
    public Task Loading { get; set; } = Task.CompletedTask;

    /// <summary>Records produced before the metadata arrived, in call order.</summary>
    public List<QueuedRecord> Waiting { get; set; } = [];

    public void SetMetadata(TopicMetadata metadata, int batchLimit)
    {
        Metadata = metadata;
        BatchLimit = batchLimit;
        Partitions = new PartitionBatches?[metadata.PartitionCount];
    }

    /// <summary>
    /// Where records without a key go: one partition, chosen at random, until its batch is sealed
    /// (<see cref="MoveSticky"/>), as Kafka's sticky partitioner does, so such records fill batches
    /// instead of spreading one record per batch over every partition.
    /// </summary>
    public int StickyPartition(Random random)
    {
        var count = Partitions.Length;
        if (_stickyPartition < 0 || _stickyPartition >= count)
        {
            _stickyPartition = random.Next(count);
        }

        return _stickyPartition;
    }

    /// <summary>The sticky partition's batch was sealed: the next record without a key chooses again.</summary>
    public void MoveSticky() => _stickyPartition = -1;
}
