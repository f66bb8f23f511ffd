using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace Orka;

/// <summary>
/// Kafka's embedded consumer protocol: the member metadata (ConsumerProtocolSubscription) and
/// assignment (ConsumerProtocolAssignment) bytes that travel opaquely through JoinGroup and SyncGroup.
/// Orka's native consumer uses the same bytes, so <c>orka groups describe</c>, the gateway and Kafka
/// tools can read every group's assignment the same way.
/// </summary>
/// <remarks>
/// Layout (big-endian, non-flexible versions 0-3): <c>int16 version</c>, then for an assignment
/// <c>[topic: int16-length string, partitions: int32 array of int32] </c> and <c>user data: int32-length
/// bytes (-1 = null)</c>; for a subscription <c>topics: int32 array of strings</c>, user data, and from
/// v1 the owned partitions (same shape as an assignment's), from v2 <c>int32 generation</c>, from v3 a
/// nullable rack id. Decoders read the fields of the versions they know and ignore what follows, as
/// Kafka's do for newer versions. Encoders write assignment v0 and subscription v2.
/// </remarks>
public static class ConsumerProtocolCodec
{
    /// <summary>Encodes an assignment (version 0, no user data), partitions grouped by topic in order.</summary>
    public static byte[] EncodeAssignment(IEnumerable<TopicPartition> partitions)
    {
        var writer = new Writer();
        writer.Int16(0);
        WriteTopicPartitions(writer, partitions);
        writer.Int32(-1);
        return writer.ToArray();
    }

    /// <summary>Reads an assignment; false when the bytes are not one (empty bytes are an empty assignment).</summary>
    public static bool TryDecodeAssignment(ReadOnlySpan<byte> bytes, out ImmutableArray<TopicPartition> partitions)
    {
        partitions = [];
        if (bytes.IsEmpty)
        {
            return true;
        }

        var reader = new Reader(bytes);
        if (!reader.Int16(out var version) || version < 0 || !ReadTopicPartitions(ref reader, out var read))
        {
            return false;
        }

        partitions = read;
        return true;
    }

    /// <summary>Encodes a subscription as version 2 (topics, owned partitions, generation).</summary>
    public static byte[] EncodeSubscription(ConsumerSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var writer = new Writer();
        writer.Int16(2);
        var topics = subscription.Topics.IsDefault ? [] : subscription.Topics;
        writer.Int32(topics.Length);
        foreach (var topic in topics)
        {
            writer.String(topic);
        }

        writer.Int32(-1);
        WriteTopicPartitions(writer, subscription.OwnedPartitions.IsDefault ? [] : subscription.OwnedPartitions);
        writer.Int32(subscription.GenerationId);
        return writer.ToArray();
    }

    /// <summary>Reads a subscription of any version; false when the bytes are not one.</summary>
    public static bool TryDecodeSubscription(ReadOnlySpan<byte> bytes, out ConsumerSubscription subscription)
    {
        subscription = new ConsumerSubscription([], []);
        var reader = new Reader(bytes);
        if (!reader.Int16(out var version) || version < 0 || !reader.Int32(out var count) || count < 0 || count > reader.Remaining)
        {
            return false;
        }

        var topics = ImmutableArray.CreateBuilder<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.String(out var topic))
            {
                return false;
            }

            topics.Add(topic);
        }

        if (!reader.Bytes())
        {
            return false;
        }

        ImmutableArray<TopicPartition> owned = [];
        var generation = -1;
        if (version >= 1 && !ReadTopicPartitions(ref reader, out owned))
        {
            return false;
        }

        if (version >= 2 && !reader.Int32(out generation))
        {
            return false;
        }

        subscription = new ConsumerSubscription(topics.ToImmutable(), owned, generation);
        return true;
    }

    private static void WriteTopicPartitions(Writer writer, IEnumerable<TopicPartition> partitions)
    {
        var byTopic = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        writer.Int32(byTopic.Count);
        foreach (var topic in byTopic)
        {
            writer.String(topic.Key);
            var numbers = topic.Select(p => p.Partition).Order().ToList();
            writer.Int32(numbers.Count);
            foreach (var p in numbers)
            {
                writer.Int32(p);
            }
        }
    }

    private static bool ReadTopicPartitions(ref Reader reader, out ImmutableArray<TopicPartition> partitions)
    {
        partitions = [];
        if (!reader.Int32(out var topics) || topics < 0 || topics > reader.Remaining)
        {
            return false;
        }

        var result = ImmutableArray.CreateBuilder<TopicPartition>();
        for (var t = 0; t < topics; t++)
        {
            if (!reader.String(out var topic) || !reader.Int32(out var count) || count < 0 || count > reader.Remaining / 4)
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                if (!reader.Int32(out var partition))
                {
                    return false;
                }

                result.Add(new TopicPartition(topic, partition));
            }
        }

        partitions = result.ToImmutable();
        return true;
    }

    private sealed class Writer
    {
        private readonly List<byte> _bytes = [];

        public void Int16(short value)
        {
            Span<byte> span = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(span, value);
            _bytes.AddRange(span);
        }

        public void Int32(int value)
        {
            Span<byte> span = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(span, value);
            _bytes.AddRange(span);
        }

        public void String(string value)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            Int16(checked((short)utf8.Length));
            _bytes.AddRange(utf8);
        }

        public byte[] ToArray() => [.. _bytes];
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly int Remaining => _rest.Length;

        public bool Int16(out short value)
        {
            value = 0;
            if (_rest.Length < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt16BigEndian(_rest);
            _rest = _rest[2..];
            return true;
        }

        public bool Int32(out int value)
        {
            value = 0;
            if (_rest.Length < 4)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt32BigEndian(_rest);
            _rest = _rest[4..];
            return true;
        }

        public bool String(out string value)
        {
            value = "";
            if (!Int16(out var length) || length < 0 || length > _rest.Length)
            {
                return false;
            }

            value = Encoding.UTF8.GetString(_rest[..length]);
            _rest = _rest[length..];
            return true;
        }

        /// <summary>Skips nullable bytes (user data, which Orka does not use).</summary>
        public bool Bytes()
        {
            if (!Int32(out var length) || length < -1 || length > _rest.Length)
            {
                return false;
            }

            _rest = _rest[Math.Max(length, 0)..];
            return true;
        }
    }
}
