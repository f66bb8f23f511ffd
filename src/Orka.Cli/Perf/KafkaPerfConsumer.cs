using Confluent.Kafka;

namespace Orka.Cli.Perf;

/// <summary>
/// A perf consumer over the Kafka protocol: Confluent.Kafka (librdkafka) reading through a silo's
/// Kafka listener, with librdkafka's default fetch settings but a short fetch-queue back-off.
/// librdkafka fetches on its own threads and queues ahead of the application; the loop here only
/// takes records off that queue. Records are copied into new arrays by the client, as any
/// Confluent.Kafka application gets them.
/// </summary>
internal sealed class KafkaPerfConsumer : IPerfConsumer
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly string _bootstrapServers;
    private readonly string _topic;
    private readonly bool _hasGroup;

    public KafkaPerfConsumer(string bootstrapServers, string topic, string? group, int fetchBytes)
    {
        _bootstrapServers = bootstrapServers;
        _topic = topic;
        _hasGroup = group is not null;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            // librdkafka wants a group id even for assigned partitions; without --group nothing is committed under it.
            GroupId = group ?? $"orka-perf-consume-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            MaxPartitionFetchBytes = fetchBytes,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // librdkafka stops fetching a partition once 100,000 of its records are queued and then
            // waits fetch.queue.backoff.ms (1 s by default) before fetching it again: with 100 B
            // records a catch-up read spent most of its time in that wait (~200,000 records/s),
            // measuring the client's back-off instead of the listener.
            FetchQueueBackoffMs = 10,
        }).SetLogHandler((_, _) => { }).Build();
    }

    public async Task AssignAsync(CancellationToken cancellationToken)
    {
        await KafkaPerfProducer.EnsureTopicAsync(_bootstrapServers, _topic, cancellationToken);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _bootstrapServers })
            .SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(_topic, TimeSpan.FromSeconds(10)).Topics.Single(t => t.Topic == _topic);
        // Unset = the group's committed offset, else auto.offset.reset (earliest).
        var start = _hasGroup ? Offset.Unset : Offset.Beginning;
        _consumer.Assign(metadata.Partitions.Select(p => new TopicPartitionOffset(_topic, p.PartitionId, start)));
    }

    public Task ReadAsync(long messages, ConsumeProgress progress, CancellationToken cancellationToken) =>
        // Consume blocks its thread, so the loop gets one of its own.
        Task.Factory.StartNew(
            () =>
            {
                while (progress.Records < messages)
                {
                    var result = _consumer.Consume(cancellationToken);
                    if (result?.Message is { } message)
                    {
                        progress.Add((message.Key?.Length ?? 0) + (message.Value?.Length ?? 0));
                    }
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    public Task CommitAsync()
    {
        try
        {
            if (_hasGroup)
            {
                _consumer.Commit();
            }
        }
        catch (KafkaException e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_NoOffset)
        {
            // Nothing was read: nothing to commit.
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _consumer.Close();
        _consumer.Dispose();
        return ValueTask.CompletedTask;
    }
}
