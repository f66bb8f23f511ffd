using Orka.Records;

namespace Orka.Client.Producer;

/// <summary>
/// A record that has to wait for buffer space or for its topic's metadata (records on the common
/// path never become one). <paramref name="Size"/> is what it counts against the buffer
/// (<see cref="EstimateSize"/>); <see cref="Detached"/> copies its bytes once it outlives the call.
/// </summary>
internal sealed record QueuedRecord(string Topic, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader>? Headers, long Timestamp, int Size)
{
    /// <summary>Where the outcome goes (a task or the caller's handler).</summary>
    public required IDeliverySink Delivery { get; init; }

    /// <summary>The caller's partition; -1 for the key's.</summary>
    public int Partition { get; init; } = -1;

    /// <summary>This record with copies of its key and value, so the caller may reuse its buffers.</summary>
    public QueuedRecord Detached() => this with { Key = Copy(Key), Value = Copy(Value) };

    /// <summary>
    /// What a record counts against <see cref="ProducerOptions.BufferMemory"/>: its key, value and
    /// headers plus the most its varints and fields can take in a batch (so never an underestimate).
    /// </summary>
    public static int EstimateSize(ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers)
    {
        // Length, attributes, timestamp delta, offset delta, key length, value length, header count.
        const int RecordOverhead = 5 + 1 + 10 + 5 + 5 + 5 + 5;
        long size = RecordOverhead + (key?.Length ?? 0) + (value?.Length ?? 0);
        foreach (var header in headers ?? [])
        {
            size += 10 + System.Text.Encoding.UTF8.GetByteCount(header.Key) + (header.Value?.Length ?? 0);
        }

        return (int)Math.Min(size, int.MaxValue);
    }

    private static ReadOnlyMemory<byte>? Copy(ReadOnlyMemory<byte>? bytes) =>
        bytes is { } b ? new ReadOnlyMemory<byte>(b.ToArray()) : (ReadOnlyMemory<byte>?)null;
}
