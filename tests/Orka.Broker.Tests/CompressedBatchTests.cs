using System.Collections.Immutable;
using System.Text;
using Orka.Client;
using Orka.Records;

namespace Orka.Broker.Tests;

[Collection(nameof(ClusterCollection))]
public sealed class CompressedBatchTests(ClusterFixture fixture)
{
    // Intent: batches compressed with each of Kafka's codecs are stored as produced and read back by the native consumer.
    [Fact]
    public async Task Produce_BatchesOfEveryCodec_StoredCompressedAndConsumedInOrder()
    {
        await fixture.Grains.GetGrain<ITopicGrain>("compressed").CreateAsync(new TopicSpec("compressed", 1, ImmutableDictionary<string, string>.Empty));
        var partition = fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition("compressed", 0).ToGrainKey());
        RecordBatchCompression[] codecs = [RecordBatchCompression.Gzip, RecordBatchCompression.Snappy, RecordBatchCompression.Lz4, RecordBatchCompression.Zstd];
        foreach (var codec in codecs)
        {
            var builder = new RecordBatchBuilder(codec);
            for (var i = 0; i < 3; i++)
            {
                builder.Append(1_700_000_000_000, Encoding.UTF8.GetBytes($"{codec}"), Encoding.UTF8.GetBytes($"{codec}-{i}"));
            }

            await partition.ProduceAsync(builder.Build(), Acks.All);
        }

        var stored = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
        var headers = new List<RecordBatchHeader>();
        foreach (var (header, _) in RecordBatchHeader.Enumerate(stored.Batches.Span))
        {
            headers.Add(header);
        }

        Assert.Equal(codecs, headers.Select(h => h.Compression));
        var consumer = new OrkaConsumer(fixture.Cluster.Client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.AssignAsync("compressed");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<(long Offset, string Value)>();
        await foreach (var record in consumer.ConsumeAsync(timeout.Token))
        {
            seen.Add((record.Offset, Encoding.UTF8.GetString(record.Value!.Value.Span)));
            if (record.Offset == 11)
            {
                break;
            }
        }

        Assert.Equal(codecs.SelectMany(c => Enumerable.Range(0, 3).Select(i => $"{c}-{i}")), seen.Select(s => s.Value));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), seen.Select(s => s.Offset));
    }
}
