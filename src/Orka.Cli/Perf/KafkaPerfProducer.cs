using System.Runtime.InteropServices;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Orka.Cli.Perf;

/// <summary>
/// A perf producer over the Kafka protocol: Confluent.Kafka (librdkafka) talking to a silo's Kafka
/// listener, configured from the same settings as the native run (acks, linger, batch size).
/// Idempotence follows Kafka's default for acks=all.
/// </summary>
internal sealed class KafkaPerfProducer : IPerfProducer
{
    private readonly IProducer<Null, byte[]> _producer;
    private readonly string _topic;

    public KafkaPerfProducer(string bootstrapServers, PerfSettings settings)
    {
        _topic = settings.Topic;
        _producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = settings.Acks switch
            {
                Orka.Acks.None => Confluent.Kafka.Acks.None,
                Orka.Acks.Leader => Confluent.Kafka.Acks.Leader,
                _ => Confluent.Kafka.Acks.All,
            },
            EnableIdempotence = settings.Acks == Orka.Acks.All,
            LingerMs = settings.Linger.TotalMilliseconds,
            BatchSize = settings.BatchSize,
            // The report only needs the outcome; marshalling key, value and headers back costs per record.
            DeliveryReportFields = "status",
            // The run's own window (MaxOutstandingBytes) is the bound; librdkafka's queue must hold at
            // least that much with its per-message overhead, or it fails records with "Queue full"
            // where Kafka's perf tool would have blocked.
            QueueBufferingMaxKbytes = (int)Math.Min(int.MaxValue, settings.MaxOutstandingBytes * 2 / 1024),
            QueueBufferingMaxMessages = (int)Math.Min(10_000_000, Math.Max(100_000, 2 * settings.MaxOutstandingBytes / Math.Max(1, settings.RecordSize))),
        }).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>Fails with an <see cref="OrkaException"/> when the listener does not know the topic.</summary>
    public static async Task EnsureTopicAsync(string bootstrapServers, string topic, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
            .SetLogHandler((_, _) => { }).Build();
        try
        {
            var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic])).WaitAsync(cancellationToken);
            _ = described;
        }
        catch (DescribeTopicsException e) when (e.Results.TopicDescriptions.Any(d => d.Error.Code == Confluent.Kafka.ErrorCode.UnknownTopicOrPart))
        {
            throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{topic}' does not exist.");
        }
        catch (KafkaException e)
        {
            throw new CliException($"cannot reach the Kafka listener at {bootstrapServers}: {e.Error.Reason}");
        }
    }

    public void Send(ReadOnlyMemory<byte> value, long sentAt, Action<long, Exception?> completed)
    {
        // librdkafka copies the payload during Produce, so a caller's reused buffer is safe.
        var array = MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();
        try
        {
            // Confluent's handler takes only the report, so the send time needs a closure per record here.
            _producer.Produce(_topic, new Message<Null, byte[]> { Value = array }, report =>
                completed(sentAt, report.Error.IsError ? new KafkaException(report.Error) : null));
        }
        catch (KafkaException e)
        {
            completed(sentAt, e);
        }
    }

    public Task FlushAsync()
    {
        _producer.Flush(TimeSpan.FromSeconds(60));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
