using System.Diagnostics;
using Confluent.Kafka;
using Orka.Telemetry;

namespace Orka.Kafka.Tests;

/// <summary>The Kafka listener's request spans, with the partition's spans beneath them.</summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class TracingTests(KafkaClusterFixture cluster)
{
    // Intent: a Kafka produce through the listener makes a "kafka Produce" request span (API, version,
    // client id) with the partition's "orka.partition.append" span beneath it in the same trace.
    [Fact]
    public async Task KafkaProduce_WithListener_AppendSpanIsUnderRequestSpan()
    {
        var topic = await Clients.CreateTopicAsync(cluster, "traced", 1);
        using var spans = new SpanCollector();
        var config = Clients.Producer(cluster);
        config.ClientId = "traced-producer";
        using (var producer = new ProducerBuilder<string, string>(config).Build())
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v" });
        }

        var append = await EventuallySpanAsync(spans, s => s.OperationName == "orka.partition.append" && s.GetTagItem("orka.topic") as string == topic);
        var request = await EventuallySpanAsync(spans, s => s.OperationName == "kafka Produce" && s.TraceId == append.TraceId);
        Assert.Equal(OrkaActivitySource.Name, request.Source.Name);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("Produce", request.GetTagItem("kafka.api"));
        Assert.Equal("traced-producer", request.GetTagItem("kafka.client_id"));
        Assert.IsType<short>(request.GetTagItem("kafka.api_version"));
        Assert.True(spans.IsUnder(append, request), "The append span is not beneath the Kafka request span.");
        Assert.Equal(1L, append.GetTagItem("orka.records"));
    }

    /// <summary>Spans end on the silo as the response is written: the client may see its delivery a moment earlier.</summary>
    private static async Task<Activity> EventuallySpanAsync(SpanCollector spans, Func<Activity, bool> match)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(spans.Spans.Any(match)), TimeSpan.FromSeconds(30), "a span to be recorded");
        return spans.Spans.First(match);
    }
}
