namespace Orka.Storage;

/// <summary>
/// Kafka's variable-length integers inside a record: zigzag-encoded (so small negative numbers stay
/// small, -1 is one byte) then base-128 with the high bit as "more bytes follow", like protobuf's
/// sint32/sint64. An int32 takes at most 5 bytes, an int64 at most 10.
/// </summary>
internal static class Varint
{
    public static int SizeOfInt32(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfInt64(long value) => SizeOfUnsigned((ulong)((value << 1) ^ (value >> 63)));

    public static int WriteInt32(Span<byte> destination, int value)
        => WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    public static int WriteInt64(Span<byte> destination, long value)
        => WriteUnsigned(destination, (ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Reads a zigzag int32; false when the bytes end first or the encoding is longer than 5 bytes.</summary>
    public static bool TryReadInt32(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        uint raw = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (bytesRead == source.Length)
            {
                return false;
            }

            var b = source[bytesRead++];
            raw |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads a zigzag int64; false when the bytes end first or the encoding is longer than 10 bytes.</summary>
    public static bool TryReadInt64(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        ulong raw = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (bytesRead == source.Length)
            {
                return false;
            }

            var b = source[bytesRead++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }

        return false;
    }

    private static int SizeOfUnsigned(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static int WriteUnsigned(Span<byte> destination, ulong value)
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
}
