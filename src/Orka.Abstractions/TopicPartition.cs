using System.Globalization;

namespace Orka;

/// <summary>
/// A partition of a topic. <see cref="ToGrainKey"/> is the one way to build a partition grain's key
/// (<c>topic/partition</c>); <see cref="ParseGrainKey"/> is its inverse.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.TopicPartition")]
public readonly record struct TopicPartition([property: Id(0)] string Topic, [property: Id(1)] int Partition)
{
    /// <summary>The key of this partition's <c>IPartitionGrain</c>.</summary>
    public string ToGrainKey() => string.Create(CultureInfo.InvariantCulture, $"{Topic}/{Partition}");

    /// <summary>Reads a key made by <see cref="ToGrainKey"/>.</summary>
    public static TopicPartition ParseGrainKey(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            throw new FormatException($"'{key}' is not a partition key of the form topic/partition.");
        }

        return new TopicPartition(key[..slash], partition);
    }

    public override string ToString() => ToGrainKey();
}
