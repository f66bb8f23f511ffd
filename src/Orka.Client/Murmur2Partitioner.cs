namespace Orka.Client;

/// <summary>
/// Kafka's default partitioner for keyed records: murmur2 of the key bytes (seed 0x9747b28c), made
/// positive, modulo the partition count. Identical to the Java client, so a key lands on the same
/// partition whichever client produced it.
/// </summary>
public static class Murmur2Partitioner
{
    /// <summary>The partition of <paramref name="key"/> among <paramref name="partitionCount"/> partitions (at least 1).</summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (Murmur2(key) & 0x7fffffff) % partitionCount;
    }

    /// <summary>Kafka's <c>Utils.murmur2</c>.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var whole = length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = data[i] | ((uint)data[i + 1] << 8) | ((uint)data[i + 2] << 16) | ((uint)data[i + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[whole];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
