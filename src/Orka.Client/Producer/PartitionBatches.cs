namespace Orka.Client.Producer;

/// <summary>
/// One partition's open batch and its send chain. Batches of a partition are chained: each is sent
/// only after the previous one was answered (<see cref="Tail"/>), because Orleans does not order
/// concurrent calls and a partition's records must keep the order in which they were produced.
/// Everything here is touched under the producer's lock, except <see cref="NextSequence"/>, which
/// only the chain's sends touch, one at a time in chain order.
/// </summary>
internal sealed class PartitionBatches(TopicPartition partition, ProducerTopic topic, ProducerBatch open)
{
    public TopicPartition Partition { get; } = partition;

    public ProducerTopic Topic { get; } = topic;

    /// <summary>The batch being filled.</summary>
    public ProducerBatch Open { get; private set; } = open;

    /// <summary>Buffer bytes of the records in <see cref="Open"/>.</summary>
    public long BufferedBytes { get; set; }

    /// <summary>The sequence number of the next batch's first record (idempotence). Touched only in send order.</summary>
    public int NextSequence { get; set; }

    /// <summary>The last batch sent for this partition; the next one waits for it. Never faults.</summary>
    public Task Tail { get; set; } = Task.CompletedTask;

    /// <summary>Batches chained (sent or waiting to be) and not yet finished.</summary>
    public int Unfinished { get; set; }

    /// <summary>The linger expired while a batch was unfinished: send the open one when idle.</summary>
    public bool SendWhenIdle { get; set; }

    /// <summary>Bumped on every seal so a stale linger timer does nothing.</summary>
    public long Generation { get; private set; }

    /// <summary>True when <paramref name="size"/> more bytes would take a non-empty open batch past <paramref name="limit"/>.</summary>
    public bool WouldOverfill(int size, int limit) =>
        Open.Builder.Count > 0 && (long)Open.Builder.SizeInBytes + size > limit;

    /// <summary>Hands the open batch's records over for sending and opens <paramref name="next"/>; encoding finishes when it is sent.</summary>
    public SealedBatch Seal(ProducerBatch next)
    {
        var sealedBatch = new SealedBatch(this, Open, BufferedBytes);
        Open = next;
        BufferedBytes = 0;
        Generation++;
        return sealedBatch;
    }
}
