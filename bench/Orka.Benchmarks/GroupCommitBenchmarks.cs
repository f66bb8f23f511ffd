using BenchmarkDotNet.Attributes;
using Orka.Storage;

namespace Orka.Benchmarks;

/// <summary>
/// Durable appends: <see cref="Writers"/> concurrent writers each append a 16 KiB batch and wait for
/// FlushAsync before the next, <see cref="TotalBatches"/> batches per operation in all. Two layouts:
/// all writers on one shared partition (their fsyncs are grouped by the log: one fsync covers every
/// writer that arrived meanwhile) and one partition per writer (each fsyncs its own segment). The
/// baseline is raw: each writer writes to its own file and fsyncs after every write.
/// </summary>
[MemoryDiagnoser]
public class GroupCommitBenchmarks
{
    public const int TotalBatches = 256;

    private byte[] _batch = null!;
    private string _directory = null!;
    private LogManager? _manager;
    private PartitionLog[] _logs = [];

    [Params(1, 2, 4, 8)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup() => _batch = BenchData.BuildBatch(100, 16 * BenchData.KiB);

    [IterationSetup(Target = nameof(RawWriteFsync))]
    public void SetupRaw() => _directory = BenchData.NewTempDirectory("commit-raw");

    [IterationSetup(Target = nameof(SharedPartition))]
    public void SetupShared() => OpenLogs(1);

    [IterationSetup(Target = nameof(PartitionPerWriter))]
    public void SetupPerWriter() => OpenLogs(Writers);

    private void OpenLogs(int count)
    {
        _directory = BenchData.NewTempDirectory("commit-log");
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _directory });
        _logs = new PartitionLog[count];
        for (var i = 0; i < count; i++)
        {
            _logs[i] = _manager.GetOrCreateLogAsync("bench", i, Guid.NewGuid(), BenchData.Config).AsTask().GetAwaiter().GetResult();
        }
    }

    [IterationCleanup]
    public void Cleanup()
    {
        if (_manager is not null)
        {
            _manager.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _manager = null;
            _logs = [];
        }

        BenchData.DeleteDirectory(_directory);
    }

    [Benchmark(Baseline = true)]
    [InvocationCount(1)]
    public Task RawWriteFsync() => Task.WhenAll(Enumerable.Range(0, Writers).Select(w =>
        Task.Run(() => BenchData.RawWriteAsync(Path.Combine(_directory, $"raw-{w}.log"), _batch, TotalBatches / Writers, fsyncEach: true))));

    [Benchmark]
    [InvocationCount(1)]
    public Task SharedPartition() => Run(w => _logs[0]);

    [Benchmark]
    [InvocationCount(1)]
    public Task PartitionPerWriter() => Run(w => _logs[w]);

    private Task Run(Func<int, PartitionLog> logOf) => Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
    {
        var log = logOf(w);
        for (var i = 0; i < TotalBatches / Writers; i++)
        {
            await log.AppendAsync(_batch);
            await log.FlushAsync();
        }
    })));
}
