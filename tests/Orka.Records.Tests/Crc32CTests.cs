using System.Text;

namespace Orka.Records.Tests;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Compute_KnownVector_MatchesCastagnoliCheckValue(string input, uint expected)
        => Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void Compute_32ZeroBytes_MatchesIscsiTestVector()
        => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32])); // RFC 3720 B.4

    [Fact]
    public void Append_AnyLengthAndSplit_MatchesBitwiseReference()
    {
        // Covers the three-stream paths (>= 768 and >= 24576 bytes), their tails and a running CRC.
        var random = new Random(3);
        foreach (var length in new[] { 0, 7, 767, 768, 769, 5000, 24575, 24576, 24583, 100_003 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            var split = length / 3;
            var running = Crc32C.Append(Crc32C.Append(uint.MaxValue, data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(Reference(data), Crc32C.Compute(data));
            Assert.Equal(Reference(data), ~running);
        }
    }

    [Fact]
    public void Append_LengthsAroundTheCarrylessFoldPath_MatchBitwiseReference()
    {
        // The folding path (CPUs with VPCLMULQDQ) takes >= 1024 bytes in 256- then 64-byte steps; the rest goes to the CRC instruction.
        var random = new Random(11);
        foreach (var length in new[] { 1023, 1024, 1025, 1087, 1088, 1279, 1280, 1344, 4096 + 63, 65_536, 1_048_576 + 13 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            var start = (uint)random.Next();
            var split = random.Next(length);
            Assert.Equal(Reference(data), Crc32C.Compute(data));
            Assert.Equal(~Reference(data, start), Crc32C.Append(start, data)); // from any running register, not only the initial one
            Assert.Equal(Reference(data), ~Crc32C.Append(Crc32C.Append(uint.MaxValue, data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    private static uint Reference(byte[] data, uint register = uint.MaxValue)
    {
        var crc = register;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }
}
