namespace Orka.Records;

/// <summary>
/// Kafka's variable-length integers, the one implementation the record format and the wire protocol
/// share. Unsigned varints are base-128 with the high bit as "more bytes follow" (the wire protocol's
/// compact lengths and tagged fields); a record's fields are zigzag-encoded first (so small negative
/// numbers stay small, -1 is one byte), like protobuf's sint32/sint64. An int32 takes at most 5
/// bytes, an int64 at most 10.
/// </summary>
public static class Varint
{
    /// <summary>The most bytes an encoded 32-bit value takes.</summary>
    public const int MaxInt32Bytes = 5;

    public static int SizeOfInt32(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfInt64(long value) => SizeOfUnsigned((ulong)((value << 1) ^ (value >> 63)));

    public static int WriteInt32(Span<byte> destination, int value)
        => WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    public static int WriteInt64(Span<byte> destination, long value)
        => WriteUnsigned(destination, (ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Reads a zigzag int32; false when the bytes end first or the encoding is longer than 5 bytes.</summary>
    public static bool TryReadInt32(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        var ok = TryReadUnsigned(source, MaxInt32Bytes, out var raw, out bytesRead);
        var low = (uint)raw;
        value = ok ? (int)(low >> 1) ^ -(int)(low & 1) : 0;
        return ok;
    }

    /// <summary>Reads a zigzag int64; false when the bytes end first or the encoding is longer than 10 bytes.</summary>
    public static bool TryReadInt64(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        var ok = TryReadUnsigned(source, 10, out var raw, out bytesRead);
        value = ok ? (long)(raw >> 1) ^ -(long)(raw & 1) : 0;
        return ok;
    }

    /// <summary>
    /// Reads an unsigned varint of at most 5 bytes; false when the bytes end first (then
    /// <paramref name="bytesRead"/> is <c>source.Length</c>) or the encoding is longer than 5 bytes
    /// (then it is 5).
    /// </summary>
    public static bool TryReadUnsignedInt32(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        var ok = TryReadUnsigned(source, MaxInt32Bytes, out var raw, out bytesRead);
        value = (uint)raw;
        return ok;
    }

    public static int SizeOfUnsigned(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Writes <paramref name="value"/> as an unsigned varint; returns the bytes written (<see cref="SizeOfUnsigned"/>).</summary>
    public static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static bool TryReadUnsigned(ReadOnlySpan<byte> source, int maxBytes, out ulong value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        for (var shift = 0; bytesRead < maxBytes; shift += 7)
        {
            if (bytesRead == source.Length)
            {
                value = 0;
                return false;
            }

            var b = source[bytesRead++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        value = 0;
        return false;
    }
}
