namespace Orka.Broker.Partitions;

/// <summary>
/// What an idempotent producer has written to one partition, so that a retried batch is not
/// appended twice and a gap or reordering is refused. Per producer id: the current epoch and the
/// last <see cref="RecentBatches"/> batches (first/last sequence and the offsets they got), as
/// Kafka's ProducerStateManager keeps. Sequences are per partition and wrap from int.MaxValue to 0.
/// Not thread-safe: the partition grain owns it.
/// </summary>
internal sealed class ProducerStateTable
{
    /// <summary>How many recent batches per producer are remembered for duplicate detection (Kafka: 5).</summary>
    public const int RecentBatches = 5;

    private readonly Dictionary<long, Producer> _producers = [];

    public int Count => _producers.Count;

    /// <summary>
    /// Checks a batch before it is appended. Returns the earlier batch when this one is a retry of it
    /// (same producer, epoch and sequences), null when it is new and in order; throws
    /// <see cref="OrkaException"/> otherwise.
    /// </summary>
    public ProducedBatch? Check(long producerId, short epoch, int firstSequence, int lastSequence)
    {
        if (!_producers.TryGetValue(producerId, out var producer))
        {
            // Unknown to this partition (new, or its batches are gone): only a fresh start is in order.
            return firstSequence == 0
                ? null
                : throw new OrkaException(OrkaErrorCode.UnknownProducerId, $"Producer {producerId} is unknown to this partition and sent sequence {firstSequence}, not 0.");
        }

        if (epoch < producer.Epoch)
        {
            throw new OrkaException(OrkaErrorCode.InvalidProducerEpoch, $"Producer {producerId} sent epoch {epoch}; epoch {producer.Epoch} has fenced it.");
        }

        if (epoch > producer.Epoch)
        {
            return firstSequence == 0
                ? null
                : throw new OrkaException(OrkaErrorCode.OutOfOrderSequenceNumber, $"Producer {producerId} began epoch {epoch} at sequence {firstSequence}, not 0.");
        }

        foreach (var batch in producer.Recent)
        {
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                return batch;
            }
        }

        var last = producer.Recent.Last().LastSequence;
        var expected = last == int.MaxValue ? 0 : last + 1;
        return firstSequence == expected
            ? null
            : throw new OrkaException(OrkaErrorCode.OutOfOrderSequenceNumber, $"Producer {producerId} sent sequence {firstSequence}; expected {expected}.");
    }

    /// <summary>Remembers an appended batch (also used to rebuild the table from the log).</summary>
    public void Record(long producerId, short epoch, ProducedBatch batch)
    {
        if (!_producers.TryGetValue(producerId, out var producer) || epoch > producer.Epoch)
        {
            producer = _producers[producerId] = new Producer(epoch);
        }

        producer.Recent.Enqueue(batch);
        if (producer.Recent.Count > RecentBatches)
        {
            producer.Recent.Dequeue();
        }
    }

    private sealed class Producer(short epoch)
    {
        public short Epoch { get; } = epoch;

        public Queue<ProducedBatch> Recent { get; } = new();
    }
}
