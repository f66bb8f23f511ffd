using Orka.Records;

namespace Orka.Client.Producer;

/// <summary>
/// A batch being filled or sent: its encoder (records are encoded as they are appended, into the
/// builder's own buffer) and its records' <see cref="Waiter"/>s, in offset order. Reused together:
/// the builder keeps its buffer and the list its capacity (<see cref="BufferPool"/> keeps spares).
/// Owned by its partition's <see cref="PartitionBatches"/> while open, then by the send until the
/// partition answers; touched only under the producer's lock while open.
/// </summary>
internal sealed class ProducerBatch
{
    public RecordBatchBuilder Builder { get; } = new();

    public List<Waiter> Waiters { get; } = [];

    public void Reset()
    {
        Builder.Reset();
        Waiters.Clear();
    }
}

/// <summary>
/// A batch sealed for sending: its partition, its records (<see cref="Batch"/>) and the buffer
/// bytes they hold (returned to the <see cref="BufferPool"/> once they are reported).
/// </summary>
internal sealed record SealedBatch(PartitionBatches Owner, ProducerBatch Batch, long BufferedBytes)
{
    public TopicPartition Partition => Owner.Partition;
}
