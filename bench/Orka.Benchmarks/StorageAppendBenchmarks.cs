using BenchmarkDotNet.Attributes;
using Orka.Storage;

namespace Orka.Benchmarks;

/// <summary>
/// The storage layer's append path: PartitionLog.AppendAsync of pre-built batches, one batch per
/// call, <see cref="TotalMiB"/> MiB per operation into a fresh log, against the baseline of writing
/// the same bytes with RandomAccess.WriteAsync at consecutive positions of a fresh file. No fsync in
/// either (append is not durability; see <see cref="GroupCommitBenchmarks"/>): both land in the page cache.
/// </summary>
[MemoryDiagnoser]
public class StorageAppendBenchmarks
{
    public const int TotalMiB = 64;

    private byte[] _batch = null!;
    private int _batches;
    private string _directory = null!;
    private LogManager? _manager;
    private PartitionLog? _log;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(16 * BenchData.KiB, BenchData.MiB)]
    public int BatchBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = BenchData.BuildBatch(RecordSize, BatchBytes);
        _batches = (int)(TotalMiB * (long)BenchData.MiB / _batch.Length);
    }

    [IterationSetup(Target = nameof(RawWrite))]
    public void SetupRaw() => _directory = BenchData.NewTempDirectory("append-raw");

    [IterationSetup(Target = nameof(Append))]
    public void SetupLog()
    {
        _directory = BenchData.NewTempDirectory("append-log");
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _directory });
        _log = _manager.GetOrCreateLogAsync("bench", 0, Guid.NewGuid(), BenchData.Config).AsTask().GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        if (_manager is not null)
        {
            _manager.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _manager = null;
            _log = null;
        }

        BenchData.DeleteDirectory(_directory);
    }

    [Benchmark(Baseline = true)]
    [InvocationCount(1)]
    public Task RawWrite() => BenchData.RawWriteAsync(Path.Combine(_directory, "raw.log"), _batch, _batches);

    [Benchmark]
    [InvocationCount(1)]
    public async Task Append()
    {
        var log = _log!;
        for (var i = 0; i < _batches; i++)
        {
            await log.AppendAsync(_batch);
        }
    }
}
