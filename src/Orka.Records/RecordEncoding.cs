using System.Text;

namespace Orka.Records;

/// <summary>
/// The one encoder of a single record inside a RecordBatch v2 (layout in <c>FORMAT.md</c>):
/// length varint, attributes, timestamp delta, offset delta, key, value, headers. Used by the
/// producer-side <see cref="RecordBatchBuilder"/> and by the log cleaner's re-encoding.
/// </summary>
internal static class RecordEncoding
{
    /// <summary>Size of a record's body: everything after its length varint.</summary>
    public static int BodySize(long timestampDelta, int offsetDelta, int keyLength, bool keyIsNull, int valueLength, bool valueIsNull, IReadOnlyList<RecordHeader> headers)
    {
        // Header keys are UTF-8 encoded twice (size, then write) rather than cached: headers are few and short.
        var size = 1 // attributes
            + Varint.SizeOfInt64(timestampDelta)
            + Varint.SizeOfInt32(offsetDelta)
            + SizeOfBytes(keyLength, keyIsNull)
            + SizeOfBytes(valueLength, valueIsNull)
            + Varint.SizeOfInt32(headers.Count);
        foreach (var header in headers)
        {
            ArgumentNullException.ThrowIfNull(header.Key, nameof(headers));
            size += SizeOfBytes(Encoding.UTF8.GetByteCount(header.Key), isNull: false)
                + SizeOfBytes(header.Value?.Length ?? 0, header.Value is null);
        }

        return size;
    }

    /// <summary>Size of the whole record: the length varint plus <paramref name="bodySize"/>.</summary>
    public static int TotalSize(int bodySize) => Varint.SizeOfInt32(bodySize) + bodySize;

    /// <summary>Writes the record (length varint and body); returns the bytes written.</summary>
    public static int Write(
        Span<byte> destination, int bodySize, long timestampDelta, int offsetDelta,
        ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull, IReadOnlyList<RecordHeader> headers)
    {
        var at = Varint.WriteInt32(destination, bodySize);
        destination[at++] = 0; // record attributes: unused in v2
        at += Varint.WriteInt64(destination[at..], timestampDelta);
        at += Varint.WriteInt32(destination[at..], offsetDelta);
        at += WriteBytes(destination[at..], key, keyIsNull);
        at += WriteBytes(destination[at..], value, valueIsNull);
        at += Varint.WriteInt32(destination[at..], headers.Count);
        foreach (var header in headers)
        {
            at += Varint.WriteInt32(destination[at..], Encoding.UTF8.GetByteCount(header.Key));
            at += Encoding.UTF8.GetBytes(header.Key, destination[at..]);
            at += WriteBytes(destination[at..], header.Value is { } v ? v.Span : default, header.Value is null);
        }

        return at;
    }

    private static int SizeOfBytes(int length, bool isNull)
        => isNull ? Varint.SizeOfInt32(-1) : Varint.SizeOfInt32(length) + length;

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return Varint.WriteInt32(destination, -1);
        }

        var at = Varint.WriteInt32(destination, bytes.Length);
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }
}
