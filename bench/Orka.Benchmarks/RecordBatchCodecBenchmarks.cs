using BenchmarkDotNet.Attributes;
using Orka.Records;

namespace Orka.Benchmarks;

/// <summary>
/// The codec layer: building one batch from records (RecordBatchBuilder, reused as a producer would)
/// and decoding every record of one batch (RecordBatchReader). Allocated bytes are per batch.
/// </summary>
[MemoryDiagnoser]
public class RecordBatchCodecBenchmarks
{
    private RecordBatchBuilder _builder = null!;
    private byte[] _value = null!;
    private byte[] _batch = null!;
    private int _records;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(16 * BenchData.KiB, BenchData.MiB)]
    public int BatchBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _builder = new RecordBatchBuilder();
        _value = new byte[RecordSize];
        Random.Shared.NextBytes(_value);
        _records = BenchData.RecordsPerBatch(RecordSize, BatchBytes);
        _batch = BenchData.BuildBatch(_builder, _records, _value);
    }

    [Benchmark]
    public byte[] Build() => BenchData.BuildBatch(_builder, _records, _value);

    [Benchmark]
    public long Read()
    {
        long sum = 0;
        foreach (var record in RecordBatchReader.ReadRecords(_batch))
        {
            sum += record.Value!.Value.Length;
        }

        return sum;
    }
}
