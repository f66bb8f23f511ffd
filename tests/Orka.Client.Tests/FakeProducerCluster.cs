using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orka.Client.Producer;
using Orka.Records;

namespace Orka.Client.Tests;

/// <summary>
/// A cluster of one topic for the producer, in memory: answers metadata and producer ids at once, and
/// records each batch sent (decoded). A batch larger than the topic's max.message.bytes is refused with
/// MessageTooLarge, as a partition would; every other batch is appended at the partition's next offset.
/// </summary>
internal sealed class FakeProducerCluster(string topic, int partitions, int? maxMessageBytes = null) : IProducerCluster
{
    private readonly ConcurrentDictionary<int, long> _nextOffsets = new();

    /// <summary>Each batch sent, in the order the calls arrived.</summary>
    public ConcurrentQueue<SentBatch> Batches { get; } = new();

    public Task<TopicMetadata> GetTopicAsync(string name) =>
        name == topic
            ? Task.FromResult(new TopicMetadata(
                topic,
                Guid.NewGuid(),
                [.. Enumerable.Repeat(PartitionAssignment.OnNode(0), partitions)],
                maxMessageBytes is { } max
                    ? ImmutableDictionary<string, string>.Empty.Add(TopicConfigCatalog.MaxMessageBytes, max.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : ImmutableDictionary<string, string>.Empty,
                DateTimeOffset.UnixEpoch))
            : Task.FromException<TopicMetadata>(new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"No topic {name}."));

    public Task<ProducerIdentity> InitProducerIdAsync() => Task.FromResult(new ProducerIdentity(1, 0));

    public Task<ProduceResult> ProduceAsync(TopicPartition partition, ReadOnlyMemory<byte> batch, Acks acks)
    {
        var values = RecordBatchReader.ReadRecords(batch).Select(r => r.Value is { } v ? v.ToArray() : []).ToList();
        Batches.Enqueue(new SentBatch(partition.Partition, batch.Length, values));
        if (maxMessageBytes is { } max && batch.Length > max)
        {
            return Task.FromException<ProduceResult>(new OrkaException(OrkaErrorCode.MessageTooLarge, $"A batch of {batch.Length} bytes is over {max}."));
        }

        var end = _nextOffsets.AddOrUpdate(partition.Partition, values.Count, (_, next) => next + values.Count);
        return Task.FromResult(new ProduceResult(end - values.Count, end - 1, 0));
    }
}

/// <summary>One batch as the fake cluster received it: its partition, its size and its records' values.</summary>
internal sealed record SentBatch(int Partition, int Bytes, IReadOnlyList<byte[]> Values);

/// <summary>A source of sticky partitions that answers from a script (then repeats its last answer).</summary>
internal sealed class ScriptedRandom(params int[] answers) : Random
{
    private int _next;

    public override int Next(int maxValue) => answers[Math.Min(_next++, answers.Length - 1)] % maxValue;
}
