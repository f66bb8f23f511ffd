using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Orka.Broker.Tests;

[Collection(nameof(ClusterCollection))]
public sealed class BatchPayloadTests(ClusterFixture fixture)
{
    // Intent: a payload that crosses the network arrives in a rented buffer holding exactly the
    // bytes sent and gives it back once (a second Release is harmless, the bytes are gone after the
    // first); a copy within one process is the caller's own memory, never rented, so a partition's
    // Release can never hand a caller's bytes to the pool.
    [Fact]
    public void BatchPayload_OverTheWireIsRentedAndReleasedOnce_InProcessCopyStaysTheCallers()
    {
        var services = fixture.Cluster.Client.ServiceProvider;
        var sent = new byte[100_000];
        Random.Shared.NextBytes(sent);
        BatchPayload payload = sent;

        var received = services.GetRequiredService<Serializer>().Deserialize<BatchPayload>(
            services.GetRequiredService<Serializer>().SerializeToArray(payload))!;

        Assert.True(received.IsRented);
        Assert.Equal(sent, received.Bytes.ToArray());
        received.Release();
        Assert.False(received.IsRented);
        Assert.True(received.Bytes.IsEmpty);
        received.Release();

        var copy = services.GetRequiredService<DeepCopier>().Copy(payload)!;
        Assert.Same(payload, copy);
        Assert.False(copy.IsRented);
        copy.Release();
        Assert.Equal(sent, copy.Bytes.ToArray());
    }

    // Intent: batches of many concurrent producers, each arriving in a buffer the partition gives
    // back to the pool and the next call rents again, land in the log byte for byte (a buffer
    // returned too early would show up as another batch's bytes or a bad CRC).
    [Fact]
    public async Task Produce_ManyBatchesThroughPooledBuffers_EveryRecordStoredIntact()
    {
        const string topic = "payload-pooled";
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 1));
        var partition = fixture.Cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey());
        var expected = new Dictionary<string, int>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async producer =>
        {
            for (var b = 0; b < 20; b++)
            {
                var builder = new Orka.Records.RecordBatchBuilder();
                for (var r = 0; r < 50; r++)
                {
                    builder.Append(0, default, System.Text.Encoding.UTF8.GetBytes($"p{producer}-b{b}-r{r}-{new string('x', 1000)}"), keyIsNull: true);
                }

                await partition.ProduceAsync(builder.Build(), Acks.Leader);
            }
        }));

        var fetched = await partition.FetchAsync(new FetchRequest(0, 64 << 20, 1, TimeSpan.Zero));
        var values = Orka.Records.RecordBatchReader.ReadRecords(fetched.Batches)
            .Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span).Split('-')[..3])
            .Select(parts => string.Join('-', parts))
            .ToList();
        Assert.Equal(8 * 20 * 50, values.Count);
        Assert.Equal(
            Enumerable.Range(0, 8).SelectMany(p => Enumerable.Range(0, 20).SelectMany(b => Enumerable.Range(0, 50).Select(r => $"p{p}-b{b}-r{r}"))).Order(),
            values.Order());
    }
}
