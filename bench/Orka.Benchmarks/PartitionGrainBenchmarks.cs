using BenchmarkDotNet.Attributes;
using Orka.Grains;
using Orka.Storage;
using Orleans.TestingHost;

namespace Orka.Benchmarks;

/// <summary>
/// The broker layer: <c>IPartitionGrain.ProduceAsync</c> of pre-built 64 KiB batches (acks=1) through
/// an in-process, in-memory-transport TestCluster, against the storage engine appending the same
/// batches directly (<c>PartitionLog.AppendAsync</c>). The ratio is what the grain call costs
/// (message serialization, the copy into the grain, scheduling) on top of the append.
/// </summary>
[MemoryDiagnoser]
public class PartitionGrainBenchmarks
{
    private const int BatchBytes = 64 * BenchData.KiB;
    private const int BatchesPerOp = 256; // 16 MiB per operation

    private byte[] _batch = null!;
    private TestCluster _cluster = null!;
    private string _root = null!;
    private IPartitionGrain _grain = null!;
    private LogManager _manager = null!;
    private PartitionLog _log = null!;
    private int _topic;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _batch = BenchData.BuildBatch(RecordSize, BatchBytes);
        (_cluster, _root) = await BenchCluster.StartAsync(ConnectionTransportType.InMemory);
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = Path.Combine(_root, "direct") });
    }

    [IterationSetup]
    public void NewLogs()
    {
        // A fresh topic and a fresh direct log per iteration keep every iteration's logs the same size.
        var name = $"bench-{RecordSize}-{_topic++}";
        _cluster.Client.GetGrain<ITopicGrain>(name).CreateAsync(new TopicSpec(name, 1)).GetAwaiter().GetResult();
        _grain = _cluster.Client.GetPartitionGrain(name, 0);
        _log = _manager.GetOrCreateLogAsync(name, 0, Guid.NewGuid(), BenchData.Config).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _manager.DisposeAsync();
        await _cluster.DisposeAsync();
        BenchData.DeleteDirectory(_root);
    }

    [Benchmark(Baseline = true)]
    public async Task StorageAppend()
    {
        for (var i = 0; i < BatchesPerOp; i++)
        {
            await _log.AppendAsync(_batch);
        }
    }

    [Benchmark]
    public async Task GrainProduce()
    {
        for (var i = 0; i < BatchesPerOp; i++)
        {
            await _grain.ProduceAsync(_batch, Acks.Leader);
        }
    }
}
