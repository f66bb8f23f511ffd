using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orka.Client;
using Orka.Records;
using Orka.Storage;

namespace Orka.Broker.Tests;

[Collection(nameof(ClusterCollection))]
public sealed class CompactedTopicTests(ClusterFixture fixture)
{
    // Intent: a compacted topic keeps the latest value per key, and a consumer positioned inside a
    // batch whose later records were compacted away moves on instead of fetching it forever.
    [Fact]
    public async Task CompactedTopic_ConsumerInsideCompactedBatch_ReadsLatestValuesAndMovesOn()
    {
        var config = ImmutableDictionary<string, string>.Empty
            .Add("cleanup.policy", "compact")
            .Add("segment.bytes", "1024");
        var metadata = await fixture.Grains.GetGrain<ITopicGrain>("compacted").CreateAsync(new TopicSpec("compacted", 1, config));
        var partition = fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition("compacted", 0).ToGrainKey());

        // Offsets 0-2 in one batch; 3-4 and 5 roll new segments (each batch ~700 bytes, segments 1 KiB).
        var pad = new string('.', 200);
        await partition.ProduceAsync(Keyed(("a", "a1" + pad), ("b", "b1" + pad), ("c", "c1" + pad)), Acks.All);
        await partition.ProduceAsync(Keyed(("b", "b2" + pad), ("c", "c2" + pad), ("d", "d1" + pad)), Acks.All);
        await partition.ProduceAsync(Keyed(("e", "e1" + pad), ("f", "f1" + pad), ("g", "g1" + pad)), Acks.All);

        var silo = fixture.Cluster.Silos.Single(s => s.Name == (metadata.Leaders()[0] == 0 ? "Primary" : $"Secondary_{metadata.Leaders()[0]}"));
        var logs = fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<LogManager>();
        await logs.CompactAsync(CancellationToken.None);

        // The first batch now holds only a@0; a consumer resuming at offset 1 must skip to 3.
        await fixture.Grains.GetGrain<IConsumerGroupGrain>("compacted-reader")
            .CommitAsync([new CommittedOffset(new TopicPartition("compacted", 0), 1)]);
        var consumer = new OrkaConsumer(fixture.Cluster.Client, new ConsumerOptions { GroupId = "compacted-reader" });
        await consumer.AssignAsync("compacted");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<(long Offset, string Key)>();
        await foreach (var record in consumer.ConsumeAsync(timeout.Token))
        {
            seen.Add((record.Offset, Encoding.UTF8.GetString(record.Key!.Value.Span)));
            if (record.Offset == 8)
            {
                break;
            }
        }

        Assert.Equal([(3L, "b"), (4L, "c"), (5L, "d"), (6L, "e"), (7L, "f"), (8L, "g")], seen);
        var all = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        Assert.DoesNotContain(RecordBatchReader.ReadRecords(all.Batches), r => r.Offset is 1 or 2);
    }

    private static byte[] Keyed(params (string Key, string Value)[] records)
    {
        var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
        {
            builder.Append(1_700_000_000_000, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        }

        return builder.Build();
    }
}
