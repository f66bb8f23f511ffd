using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Orka.Kafka.Protocol;

/// <summary>
/// Writes one response frame: a 4-byte size (patched by <see cref="CompleteFrame"/>), then Kafka's
/// primitive types. <see cref="Flexible"/> selects the compact forms and tagged-field sections of
/// flexible versions.
/// </summary>
/// <remarks>
/// The buffer comes from <see cref="ArrayPool{T}.Shared"/> and goes back on <see cref="Dispose"/>;
/// fetch responses copy the stored record batches in once (the bytes are never re-encoded).
/// Not thread-safe: one writer per response.
/// </remarks>
public sealed class KafkaWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public KafkaWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
        _length = 4; // the frame size, written last
    }

    public bool Flexible { get; set; }

    /// <summary>Bytes written so far, the frame size prefix included.</summary>
    public int Length => _length;

    /// <summary>
    /// Makes room for <paramref name="count"/> more bytes in one step, so a writer about to take a
    /// large payload (a fetch's records) rents one buffer instead of copying itself at each doubling.
    /// </summary>
    public void Reserve(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(_length + count);
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void WriteInt8(sbyte value) => Grow(1)[0] = (byte)value;

    public void WriteBool(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Grow(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Grow(16), bigEndian: true, out _);

    public void WriteUnsignedVarInt(uint value) => Varint.WriteUnsigned(Grow(Varint.SizeOfUnsigned(value)), value);

    private void WriteLength(int length, bool int16)
    {
        if (Flexible)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else if (int16)
        {
            WriteInt16((short)length);
        }
        else
        {
            WriteInt32(length);
        }
    }

    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteLength(-1, int16: true);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteLength(count, int16: true);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void WriteString(string value) => WriteNullableString(value);

    public void WriteNullableBytes(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            WriteLength(-1, int16: false);
            return;
        }

        WriteLength(value.Length, int16: false);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteBytes(ReadOnlySpan<byte> value) => WriteNullableBytes(value);

    /// <summary>Bytes as they are, with no length prefix (a tagged field's payload, a pre-encoded section).</summary>
    public void WriteBytesRaw(ReadOnlySpan<byte> value) => value.CopyTo(Grow(value.Length));

    /// <summary>An array's element count (-1 for null) in the version's form.</summary>
    public void WriteArrayLength(int count) => WriteLength(count, int16: false);

    /// <summary>Writes an array with one call of <paramref name="writeElement"/> per element.</summary>
    public void WriteArray<T>(IReadOnlyCollection<T> items, Action<KafkaWriter, T> writeElement)
    {
        WriteArrayLength(items.Count);
        foreach (var item in items)
        {
            writeElement(this, item);
        }
    }

    /// <summary>An empty tagged-field section, written only in flexible versions.</summary>
    public void WriteEmptyTaggedFields()
    {
        if (Flexible)
        {
            WriteUnsignedVarInt(0);
        }
    }

    /// <summary>Patches the size prefix and returns the whole frame (valid until <see cref="Dispose"/>).</summary>
    public ReadOnlyMemory<byte> CompleteFrame()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - 4);
        return _buffer.AsMemory(0, _length);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
