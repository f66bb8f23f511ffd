using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Orka;

/// <summary>
/// Record batches handed to a partition (<see cref="Grains.IPartitionGrain.ProduceAsync"/>). Built from
/// the caller's memory (implicitly, from a <see cref="ReadOnlyMemory{T}"/> or an array) it is just
/// that memory. Arriving over the network, its bytes are read into a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/> instead of a fresh array (<see cref="BatchPayloadCodec"/>): a
/// partition receives about a megabyte per batch, and a fresh large-object array per batch (zeroed,
/// then garbage) cost the node as much CPU as all its other work on a gigabyte of 1 KiB records.
/// The partition gives the buffer back with <see cref="Release"/> once the batches are written.
/// </summary>
[Immutable, Alias("Orka.BatchPayload")]
public sealed class BatchPayload
{
    private byte[]? _rented;

    /// <summary>The caller's memory, used as is (the caller keeps it unchanged until the call completes).</summary>
    public BatchPayload(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    private BatchPayload(byte[] rented, int length)
    {
        _rented = rented;
        Bytes = new ReadOnlyMemory<byte>(rented, 0, length);
    }

    /// <summary>The batches' bytes; not to be read after <see cref="Release"/>.</summary>
    public ReadOnlyMemory<byte> Bytes { get; private set; }

    /// <summary>Whether the bytes live in a rented buffer that <see cref="Release"/> gives back.</summary>
    public bool IsRented => Volatile.Read(ref _rented) is not null;

    /// <summary>Wraps the caller's memory.</summary>
    public static implicit operator BatchPayload(ReadOnlyMemory<byte> bytes) => new(bytes);

    /// <summary>Wraps the caller's array.</summary>
    public static implicit operator BatchPayload(byte[] bytes) => new(bytes);

    /// <summary>Wraps the caller's memory (the named form of the implicit conversion).</summary>
    public static BatchPayload FromReadOnlyMemory(ReadOnlyMemory<byte> bytes) => new(bytes);

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="reader"/> into a rented buffer.</summary>
    internal static BatchPayload ReadRented<TInput>(ref Reader<TInput> reader, int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        reader.ReadBytes(buffer.AsSpan(0, length));
        return new BatchPayload(buffer, length);
    }

    /// <summary>
    /// Gives a rented buffer back to the pool (once; later calls and calls on the caller's memory do
    /// nothing). The bytes must not be read afterwards: the buffer may already hold someone else's.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } rented)
        {
            Bytes = default;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

/// <summary>
/// Orleans codec of <see cref="BatchPayload"/>: the bytes, length-prefixed, as Orleans writes a byte
/// array; read back into a rented buffer (see <see cref="BatchPayload"/>).
/// </summary>
[RegisterSerializer]
public sealed class BatchPayloadCodec : IFieldCodec<BatchPayload>
{
    /// <inheritdoc/>
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, BatchPayload? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(BatchPayload), WireType.LengthPrefixed);
        var bytes = value!.Bytes.Span; // null was written as a null reference above
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
    }

    /// <inheritdoc/>
    public BatchPayload ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<BatchPayload, TInput>(ref reader, field)!;
        }

        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        if (length > int.MaxValue)
        {
            throw new InvalidOperationException($"A batch payload of {length} bytes is too large.");
        }

        var result = BatchPayload.ReadRented(ref reader, (int)length);
        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }
}

/// <summary>
/// Copier of <see cref="BatchPayload"/> for calls within a process: the payload is immutable (its
/// bytes are the caller's, not to be changed until the call completes), so it is passed as is.
/// </summary>
[RegisterCopier]
public sealed class BatchPayloadCopier : IDeepCopier<BatchPayload>
{
    /// <inheritdoc/>
    public BatchPayload? DeepCopy(BatchPayload? input, CopyContext context) => input;
}
