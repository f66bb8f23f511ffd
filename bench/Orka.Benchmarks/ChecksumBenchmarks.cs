using System.IO.Hashing;
using BenchmarkDotNet.Attributes;
using Orka.Records;

namespace Orka.Benchmarks;

/// <summary>
/// The checksum every stored byte goes through (on append, on recovery, in the builder): Orka's
/// CRC-32C against the baseline of System.IO.Hashing's CRC-32 (IEEE, vectorised) over the same bytes.
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private byte[] _data = null!;

    [Params(16 * BenchData.KiB, BenchData.MiB)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Bytes];
        Random.Shared.NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public uint SystemIOHashingCrc32() => Crc32.HashToUInt32(_data);

    [Benchmark]
    public uint OrkaCrc32C() => Crc32C.Compute(_data);
}
