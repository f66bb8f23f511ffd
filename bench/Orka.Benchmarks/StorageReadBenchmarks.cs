using BenchmarkDotNet.Attributes;
using Orka.Storage;

namespace Orka.Benchmarks;

/// <summary>
/// The storage layer's read path: a consumer catching up on a whole <see cref="TotalMiB"/> MiB log
/// with PartitionLog.ReadAsync (<see cref="FetchBytes"/> per call, each returning a fresh buffer the
/// caller owns), against the baseline of reading the same segment files front to back in reads of
/// the same size into one reused buffer. Both are served from the page cache (the files were just
/// written), so this measures the engine's overhead, not the disk.
/// </summary>
[MemoryDiagnoser]
public class StorageReadBenchmarks
{
    public const int TotalMiB = 256;
    public const int FetchBytes = BenchData.MiB;

    private string _directory = null!;
    private LogManager _manager = null!;
    private PartitionLog _log = null!;
    private string[] _files = null!;
    private readonly byte[] _buffer = new byte[FetchBytes];

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(16 * BenchData.KiB, BenchData.MiB)]
    public int BatchBytes { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = BenchData.NewTempDirectory("read");
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _directory });
        _log = await _manager.GetOrCreateLogAsync("bench", 0, Guid.NewGuid(), BenchData.Config);
        var batch = BenchData.BuildBatch(RecordSize, BatchBytes);
        for (long written = 0; written < TotalMiB * (long)BenchData.MiB; written += batch.Length)
        {
            await _log.AppendAsync(batch);
        }

        await _log.FlushAsync();
        _files = BenchData.SegmentFiles(_log.Directory);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _manager.DisposeAsync();
        BenchData.DeleteDirectory(_directory);
    }

    [Benchmark(Baseline = true)]
    public async Task<long> RawRead()
    {
        long bytes = 0;
        foreach (var file in _files)
        {
            bytes += await BenchData.RawReadAsync(file, _buffer);
        }

        return bytes;
    }

    /// <summary>Raw read, but into a new array per read as ReadAsync returns: shows what the fresh-buffer contract costs.</summary>
    [Benchmark]
    public async Task<long> RawReadNewArrayPerRead()
    {
        long bytes = 0;
        foreach (var file in _files)
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
            int read;
            while ((read = await RandomAccess.ReadAsync(handle, new byte[FetchBytes], bytes)) > 0)
            {
                bytes += read;
            }
        }

        return bytes;
    }

    [Benchmark]
    public Task<long> ReadLog() => BenchData.ReadLogAsync(_log, FetchBytes);
}
