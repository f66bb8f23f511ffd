using System.Buffers.Binary;
using System.Text;

namespace Orka.Kafka.Protocol;

/// <summary>
/// Reads Kafka's primitive types (big-endian ints, varints, strings, bytes, arrays, tagged fields)
/// from one request frame. <see cref="Flexible"/> switches strings, bytes and arrays to their
/// compact (unsigned-varint length + 1) forms, as the request's flexible versions require.
/// </summary>
/// <remarks>
/// Byte fields are returned as slices of the frame, not copies: they live as long as the frame's
/// buffer, which the connection keeps until the request has been answered. Every length is checked
/// against the bytes left before anything is allocated, so a hostile length costs nothing but a
/// <see cref="KafkaProtocolException"/>. Arrays are never sized from the count on the wire: a list
/// grows as its elements are actually read, each element must consume bytes, and all arrays of one
/// request together hold at most <see cref="MaxArrayElements"/> elements, which bounds the parsed
/// form of a request (its elements cost several times their wire size).
/// </remarks>
public sealed class KafkaReader(ReadOnlyMemory<byte> frame)
{
    private readonly ReadOnlyMemory<byte> _frame = frame;
    private int _position;
    private long _elements;

    /// <summary>Array elements all arrays of this request may announce together (<c>Orka:Kafka:MaxRequestArrayElements</c>).</summary>
    public int MaxArrayElements { get; init; } = 200_000;

    /// <summary>
    /// Set by the connection: called when the frame must outlive the request because a grain call
    /// that was handed slices of it ([Immutable], no copy) may still read them (its response timed
    /// out while the call itself is still queued). The frame then goes to the garbage collector
    /// instead of back to the pool, where the next request would overwrite it.
    /// </summary>
    public Action? FrameRetainer { get; init; }

    /// <summary>Keeps the frame from being reused (see <see cref="FrameRetainer"/>).</summary>
    public void RetainFrame() => FrameRetainer?.Invoke();

    /// <summary>True when the request version uses compact encodings and tagged fields.</summary>
    public bool Flexible { get; set; }

    /// <summary>Bytes not read yet.</summary>
    public int Remaining => _frame.Length - _position;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new KafkaProtocolException($"The request ends early: {count} bytes wanted at byte {_position}, {Remaining} left.");
        }

        var span = _frame.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Kafka's uuid: 16 bytes, most significant first.</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarInt()
    {
        if (!Varint.TryReadUnsignedInt32(_frame.Span[_position..], out var value, out var read))
        {
            throw read == Varint.MaxInt32Bytes
                ? new KafkaProtocolException("An unsigned varint is longer than 5 bytes.")
                : new KafkaProtocolException($"The request ends early: 1 bytes wanted at byte {_position + read}, 0 left.");
        }

        _position += read;
        return value;
    }

    /// <summary>A length in the flexible form (unsigned varint of length + 1; 0 means null).</summary>
    private int ReadCompactLength()
    {
        var raw = ReadUnsignedVarInt();
        if (raw > int.MaxValue)
        {
            throw new KafkaProtocolException($"Length {raw} is out of range.");
        }

        return (int)raw - 1;
    }

    public string? ReadNullableString()
    {
        var length = Flexible ? ReadCompactLength() : ReadInt16();
        if (length < -1)
        {
            throw new KafkaProtocolException($"String length {length} is negative.");
        }

        return length == -1 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public string ReadString() => ReadNullableString() ?? throw new KafkaProtocolException("A non-nullable string is null.");

    /// <summary>A client id in a request header: always the classic int16 form, even in header v2.</summary>
    public string? ReadClassicNullableString()
    {
        var flexible = Flexible;
        Flexible = false;
        try
        {
            return ReadNullableString();
        }
        finally
        {
            Flexible = flexible;
        }
    }

    /// <summary>A byte field as a slice of the frame; null when the length is -1.</summary>
    public ReadOnlyMemory<byte>? ReadNullableBytes()
    {
        var length = Flexible ? ReadCompactLength() : ReadInt32();
        if (length < -1)
        {
            throw new KafkaProtocolException($"Byte length {length} is negative.");
        }

        if (length == -1)
        {
            return null;
        }

        var start = _position;
        _ = Take(length);
        return _frame.Slice(start, length);
    }

    public ReadOnlyMemory<byte> ReadBytes() => ReadNullableBytes() ?? throw new KafkaProtocolException("A non-nullable byte field is null.");

    /// <summary>
    /// An array's element count; -1 for null. Bounded by the bytes left (an element takes at least
    /// one) and by what is left of <see cref="MaxArrayElements"/>. Never a capacity to allocate.
    /// </summary>
    public int ReadArrayLength()
    {
        var length = Flexible ? ReadCompactLength() : ReadInt32();
        if (length < -1 || length > Remaining)
        {
            throw new KafkaProtocolException($"Array length {length} is impossible with {Remaining} bytes left.");
        }

        _elements += Math.Max(length, 0);
        if (_elements > MaxArrayElements)
        {
            throw new KafkaProtocolException($"The request holds more than {MaxArrayElements} array elements (Orka:Kafka:MaxRequestArrayElements).");
        }

        return length;
    }

    /// <summary>Reads an array (null becomes empty) with one call of <paramref name="readElement"/> per element.</summary>
    public List<T> ReadArray<T>(Func<KafkaReader, T> readElement)
    {
        var length = ReadArrayLength();
        // The count is only a claim: the list grows with the elements actually read.
        var items = new List<T>(Math.Clamp(length, 0, InitialArrayCapacity));
        for (var i = 0; i < length; i++)
        {
            var start = _position;
            items.Add(readElement(this));
            if (_position == start)
            {
                throw new KafkaProtocolException("An array element took no bytes.");
            }
        }

        return items;
    }

    /// <summary>The most list capacity taken on an array's word; larger arrays grow by doubling.</summary>
    private const int InitialArrayCapacity = 64;

    /// <summary>Skips a tagged-field section when the version is flexible (we know none of the request tags we accept).</summary>
    public void SkipTaggedFields()
    {
        if (!Flexible)
        {
            return;
        }

        var count = ReadUnsignedVarInt();
        for (var i = 0; i < count; i++)
        {
            _ = ReadUnsignedVarInt();
            var size = ReadUnsignedVarInt();
            _ = Take(checked((int)size));
        }
    }
}
