using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orka.Client;
using Orka.Telemetry;

namespace Orka.Broker.Tests;

/// <summary>The Orka spans of the native producer and the partition and group grains, across the real two-silo cluster.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class TracingTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // Intent: a native produce makes a client "orka.produce" span and, on the silo, an
    // "orka.partition.append" span beneath it in the same trace, both tagged with what was sent.
    [Fact]
    public async Task NativeProduce_WithListener_AppendSpanIsUnderProduceSpan()
    {
        using var spans = new SpanCollector();
        using var host = await StartClientHostAsync();
        await host.Services.GetRequiredService<OrkaAdmin>().CreateTopicAsync("traced-produce", partitions: 1);
        await using (var producer = host.Services.GetRequiredService<OrkaClientFactory>().CreateProducer())
        {
            await producer.ProduceAsync("traced-produce", null, new byte[] { 1, 2, 3 });
        }

        var produce = Assert.Single(spans.Spans, s => s.OperationName == "orka.produce" && Tag(s, "orka.topic") == "traced-produce");
        Assert.Equal(ActivityKind.Producer, produce.Kind);
        Assert.Equal(OrkaActivitySource.Name, produce.Source.Name);
        Assert.Equal(1L, produce.GetTagItem("orka.records"));
        Assert.Equal(0L, produce.GetTagItem("orka.base_offset"));

        var append = Assert.Single(spans.Spans, s => s.OperationName == "orka.partition.append" && Tag(s, "orka.topic") == "traced-produce");
        Assert.Equal(produce.TraceId, append.TraceId);
        Assert.True(spans.IsUnder(append, produce), "The silo's append span is not beneath the client's produce span.");
        Assert.Equal(0, append.GetTagItem("orka.partition"));
        Assert.Equal(1L, append.GetTagItem("orka.records"));
        Assert.Equal(produce.GetTagItem("orka.bytes"), append.GetTagItem("orka.bytes"));
        Assert.Equal((short)Acks.All, append.GetTagItem("orka.acks"));
    }

    // Intent: a group's join, sync and commit get spans tagged with the group; a failing heartbeat
    // (unknown member) gets an error span, a successful one none.
    [Fact]
    public async Task GroupCalls_WithListener_JoinSyncCommitAndFailedHeartbeatHaveSpans()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("traced-topic").CreateAsync(new TopicSpec("traced-topic", 1)); // commits need an existing topic
        using var spans = new SpanCollector();
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>("traced-group");
        var first = await group.JoinAsync(Join(""));
        var joined = await group.JoinAsync(Join(first.MemberId)).WaitAsync(Bound);
        await group.SyncAsync(new SyncGroupRequest(joined.GenerationId, joined.MemberId, [new GroupAssignment(joined.MemberId, ReadOnlyMemory<byte>.Empty)]));
        await group.HeartbeatAsync(joined.GenerationId, joined.MemberId);
        await group.CommitAsync(joined.GenerationId, joined.MemberId, [new CommittedOffset(new TopicPartition("traced-topic", 0), 5)]);
        await Assert.ThrowsAsync<OrkaException>(() => group.HeartbeatAsync(joined.GenerationId, "nobody"));
        await group.LeaveAsync(joined.MemberId);

        var mine = spans.Spans.Where(s => Tag(s, "orka.group") == "traced-group").ToList();
        Assert.Equal(2, mine.Count(s => s.OperationName == "orka.group.join"));
        var join = Assert.Single(mine, s => s.OperationName == "orka.group.join" && Tag(s, "orka.member_id") == joined.MemberId && s.GetTagItem("orka.generation") is int g && g > 0);
        Assert.Equal(joined.MemberId, Tag(join, "orka.member_id"));
        Assert.Equal(joined.GenerationId, join.GetTagItem("orka.generation"));
        Assert.Single(mine, s => s.OperationName == "orka.group.sync");
        Assert.Equal(1, Assert.Single(mine, s => s.OperationName == "orka.group.commit").GetTagItem("orka.offsets"));
        var heartbeat = Assert.Single(mine, s => s.OperationName == "orka.group.heartbeat");
        Assert.Equal(ActivityStatusCode.Error, heartbeat.Status);
        Assert.Equal("nobody", Tag(heartbeat, "orka.member_id"));
        Assert.Equal(nameof(OrkaErrorCode.UnknownMemberId), Tag(heartbeat, "orka.error_code"));
    }

    private static JoinGroupRequest Join(string memberId) =>
        new(memberId, "traced-client", "consumer", [new GroupProtocol("range", ReadOnlyMemory<byte>.Empty)], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    private async Task<IHost> StartClientHostAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOrkaClient(o =>
        {
            o.Gateways = [fixture.Cluster.Primary!.GatewayAddress!.Endpoint.ToString()];
            o.ClusterId = fixture.Cluster.Options.ClusterId;
            o.ServiceId = fixture.Cluster.Options.ServiceId;
        });
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(Bound);
        await host.StartAsync(timeout.Token);
        return host;
    }
}
