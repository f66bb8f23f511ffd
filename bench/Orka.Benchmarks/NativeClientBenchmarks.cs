using BenchmarkDotNet.Attributes;
using Orka.Client;
using Orka.Grains;
using Orleans.TestingHost;

namespace Orka.Benchmarks;

/// <summary>
/// The client layer: <c>OrkaProducer</c> producing records one call each (linger 5 ms, 64 KiB
/// batches, acks=1, idempotent) through a one-silo TestCluster over loopback TCP, against the same
/// records sent as pre-built 64 KiB batches straight to the partition grains over the same
/// connection. The ratio is what the producer's per-record work (partitioning, batching, one
/// completion per record) costs on top of the grain call.
/// </summary>
[MemoryDiagnoser]
public class NativeClientBenchmarks
{
    private const int Partitions = 3;
    private const int BytesPerOp = 8 << 20;

    private TestCluster _cluster = null!;
    private string _root = null!;
    private byte[] _value = null!;
    private byte[] _batch = null!;
    private int _records;
    private int _batchesPerPartition;
    private string _topic = null!;
    private int _topics;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        (_cluster, _root) = await BenchCluster.StartAsync(ConnectionTransportType.TcpSocket);
        _value = new byte[RecordSize];
        Random.Shared.NextBytes(_value);
        _batch = BenchData.BuildBatch(RecordSize, 64 * BenchData.KiB);
        _records = BytesPerOp / RecordSize;
        _batchesPerPartition = Math.Max(1, BytesPerOp / _batch.Length / Partitions);
    }

    [IterationSetup]
    public void NewTopic()
    {
        _topic = $"client-{RecordSize}-{_topics++}";
        _cluster.Client.GetGrain<ITopicGrain>(_topic).CreateAsync(new TopicSpec(_topic, Partitions)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _cluster.DisposeAsync();
        BenchData.DeleteDirectory(_root);
    }

    [Benchmark(Baseline = true)]
    public Task PrebuiltBatchesToGrains() =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(async p =>
        {
            var grain = _cluster.Client.GetPartitionGrain(_topic, p);
            for (var i = 0; i < _batchesPerPartition; i++)
            {
                await grain.ProduceAsync(_batch, Acks.Leader);
            }
        }));

    [Benchmark]
    public async Task ProducerPerRecord()
    {
        await using var producer = new OrkaProducer(_cluster.Client, new ProducerOptions { Acks = Acks.Leader });
        var last = Task.CompletedTask;
        for (var i = 0; i < _records; i++)
        {
            last = producer.ProduceAsync(_topic, null, _value);
        }

        await producer.FlushAsync();
        await last;
    }
}
