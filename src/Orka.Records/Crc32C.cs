using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Orka.Records;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF):
/// the checksum of a RecordBatch v2. System.IO.Hashing 10.0 ships only CRC-32 and CRC-64, so this
/// is built on <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the SSE4.2 / ARMv8 CRC
/// instructions when present (8 bytes per step) and a table otherwise.
/// </summary>
/// <remarks>
/// The CRC instruction has a latency of ~3 cycles but can start one per cycle, so one dependent
/// chain uses a third of it. Inputs of at least three blocks are therefore split into three
/// interleaved streams, combined at the end of each round by shifting a stream's CRC over the
/// following block of zeros (a linear map, applied with four 256-entry tables). Every byte is
/// checked on append, on recovery and by the builder, so this bounds all three (bench/: about 2x).
/// <para>Where the CPU has 512-bit carry-less multiply (VPCLMULQDQ with AVX-512), inputs of at
/// least <see cref="FoldThreshold"/> bytes are first folded 256 bytes at a time in four 512-bit
/// accumulators (each step multiplies an accumulator by x^2048 mod P, split into two 33-bit
/// constants per 128-bit lane, and XORs in the next bytes), then reduced to 128 bits, whose CRC is
/// the register; the CRC instruction does the rest. That is not limited to the CRC instruction's
/// 8 bytes per cycle, and it is what keeps the append's validation pass small next to the write.</para>
/// </remarks>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;
    private const int LongBlock = 8192;
    private const int ShortBlock = 256;

    // Shift operators over LongBlock and ShortBlock zero bytes, 4 x 256 entries each.
    private static readonly uint[] s_longShift = ShiftTable(LongBlock);
    private static readonly uint[] s_shortShift = ShiftTable(ShortBlock);

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>
    /// Continues a running CRC over more bytes, for data too large to hold at once: start from
    /// <see cref="uint.MaxValue"/>, append every piece in order, and complement the result.
    /// </summary>
    /// <remarks>
    /// The loops here are compiled fully optimized at once: tiered compilation would first run
    /// them unoptimized first (vector helpers not inlined): in a profile of a consumer reading
    /// 500 MB, which checks every fetched batch, the unoptimized fold was among the top frames.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= FoldThreshold && Pclmulqdq.V512.IsSupported)
        {
            crc = Fold512(crc, data, out var consumed);
            data = data[consumed..];
        }

        while (data.Length >= 3 * LongBlock)
        {
            crc = ThreeWay(crc, data, LongBlock, s_longShift);
            data = data[(3 * LongBlock)..];
        }

        while (data.Length >= 3 * ShortBlock)
        {
            crc = ThreeWay(crc, data, ShortBlock, s_shortShift);
            data = data[(3 * ShortBlock)..];
        }

        return Serial(crc, data);
    }

    /// <summary>Inputs at least this long take the carry-less multiply path when the CPU has it.</summary>
    internal const int FoldThreshold = 1024;

    /// <summary>
    /// Folds all whole 64-byte blocks of <paramref name="data"/> (at least 256 bytes) starting
    /// from register <paramref name="crc"/>; returns the register after them and how many bytes
    /// that was. Constants: for a fold over D bits, the low qword of each 128-bit lane is
    /// multiplied by reflect(x^(D+32) mod P) &lt;&lt; 1 and the high one by reflect(x^(D-32) mod P) &lt;&lt; 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Fold512(uint crc, ReadOnlySpan<byte> data, out int consumed)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var k2048 = Lanes(0xdcb17aa4, 0xb9e02b86);
        var x0 = Vector512.LoadUnsafe(ref start).AsUInt64() ^ Vector512.CreateScalar((ulong)crc); // the register enters as the first 4 bytes
        var x1 = Vector512.LoadUnsafe(ref start, 64).AsUInt64();
        var x2 = Vector512.LoadUnsafe(ref start, 128).AsUInt64();
        var x3 = Vector512.LoadUnsafe(ref start, 192).AsUInt64();
        nuint offset = 256;
        var length = (nuint)data.Length;
        for (; offset + 256 <= length; offset += 256)
        {
            x0 = Fold(x0, k2048) ^ Vector512.LoadUnsafe(ref start, offset).AsUInt64();
            x1 = Fold(x1, k2048) ^ Vector512.LoadUnsafe(ref start, offset + 64).AsUInt64();
            x2 = Fold(x2, k2048) ^ Vector512.LoadUnsafe(ref start, offset + 128).AsUInt64();
            x3 = Fold(x3, k2048) ^ Vector512.LoadUnsafe(ref start, offset + 192).AsUInt64();
        }

        var k512 = Lanes(0x740eef02, 0x9e4addf8);
        var x = Fold(x0, Lanes(0xa87ab8a8, 0xab7aff2a)) ^ Fold(x1, Lanes(0x6992cea2, 0x0d3b6092)) ^ Fold(x2, k512) ^ x3;
        for (; offset + 64 <= length; offset += 64)
        {
            x = Fold(x, k512) ^ Vector512.LoadUnsafe(ref start, offset).AsUInt64();
        }

        var r = Fold(x.GetLower().GetLower(), Vector128.Create(0x1c291d04UL, 0x1d82c63daUL))
            ^ Fold(x.GetLower().GetUpper(), Vector128.Create(0x1384aa63aUL, 0xba4fc28eUL))
            ^ Fold(x.GetUpper().GetLower(), Vector128.Create(0xf20c0dfeUL, 0x14cd00bd6UL))
            ^ x.GetUpper().GetUpper();
        consumed = (int)offset;
        return BitOperations.Crc32C(BitOperations.Crc32C(0u, r.GetElement(0)), r.GetElement(1));
    }

    private static Vector512<ulong> Lanes(ulong low, ulong high) => Vector512.Create(low, high, low, high, low, high, low, high);

    private static Vector512<ulong> Fold(Vector512<ulong> x, Vector512<ulong> k)
        => Pclmulqdq.V512.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, k, 0x11);

    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k)
        => Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11);

    /// <summary>One chain over <paramref name="data"/>, 8 bytes per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Serial(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>The first 3 x <paramref name="block"/> bytes of <paramref name="data"/> as three parallel chains, combined.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint ThreeWay(uint crc, ReadOnlySpan<byte> data, int block, uint[] shift)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data[..(3 * block)]);
        var n = block / sizeof(ulong);
        var a = words[..n];
        var b = words.Slice(n, n);
        var c = words.Slice(2 * n, n);
        uint crc1 = 0, crc2 = 0;
        for (var i = 0; i < a.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, Le(a[i]));
            crc1 = BitOperations.Crc32C(crc1, Le(b[i]));
            crc2 = BitOperations.Crc32C(crc2, Le(c[i]));
        }

        // The register after A||B from state s is shift(s, |B|) ^ (register after B from 0).
        crc = Shift(shift, crc) ^ crc1;
        return Shift(shift, crc) ^ crc2;
    }

    private static ulong Le(ulong word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    private static uint Shift(uint[] table, uint crc)
        => table[(byte)crc] ^ table[256 + (byte)(crc >> 8)] ^ table[512 + (byte)(crc >> 16)] ^ table[768 + (crc >> 24)];

    /// <summary>Tables of the map "run <paramref name="bytes"/> zero bytes through the register", one per input byte lane.</summary>
    private static uint[] ShiftTable(int bytes)
    {
        // The map is linear: shift each of the 32 register bits once, then XOR their images.
        Span<uint> bitImages = stackalloc uint[32];
        for (var i = 0; i < 32; i++)
        {
            var crc = 1u << i;
            for (var step = 0; step < 8 * bytes; step++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            bitImages[i] = crc;
        }

        var table = new uint[1024];
        for (var lane = 0; lane < 4; lane++)
        {
            for (var value = 0; value < 256; value++)
            {
                uint image = 0;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((value & (1 << bit)) != 0)
                    {
                        image ^= bitImages[8 * lane + bit];
                    }
                }

                table[lane * 256 + value] = image;
            }
        }

        return table;
    }
}
