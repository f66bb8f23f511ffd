namespace Orka.Records.Tests;

public sealed class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void WriteInt32_KnownValue_IsZigzagBase128(int value, byte[] expected)
    {
        var buffer = new byte[5];
        var written = Varint.WriteInt32(buffer, value);

        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(written, Varint.SizeOfInt32(value));
        Assert.True(Varint.TryReadInt32(buffer.AsSpan(0, written), out var read, out var consumed));
        Assert.Equal((value, written), (read, consumed));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_700_000_000_000L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void WriteInt64_AnyValue_RoundTrips(long value)
    {
        var buffer = new byte[10];
        var written = Varint.WriteInt64(buffer, value);

        Assert.Equal(written, Varint.SizeOfInt64(value));
        Assert.True(Varint.TryReadInt64(buffer.AsSpan(0, written), out var read, out var consumed));
        Assert.Equal((value, written), (read, consumed));
    }

    [Fact]
    public void TryReadInt32_TruncatedOrOverlong_ReturnsFalse()
    {
        Assert.False(Varint.TryReadInt32([0x80, 0x80], out _, out _));
        Assert.False(Varint.TryReadInt32([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], out _, out _));
    }
}
