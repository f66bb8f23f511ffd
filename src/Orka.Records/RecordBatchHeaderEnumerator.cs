namespace Orka.Records;

/// <summary>
/// Walks the headers of the consecutive RecordBatch v2 batches in a buffer (a fetch result, a
/// segment chunk), yielding each whole batch's header and its byte position, and stopping at a
/// trailing partial batch. Made by <see cref="RecordBatchHeader.Enumerate"/>; use with
/// <c>foreach (var (header, position) in RecordBatchHeader.Enumerate(bytes))</c>.
/// </summary>
/// <remarks>
/// It only decodes headers: no CRC or magic check (use <see cref="RecordBatchHeader.ReadValidated"/>
/// or <see cref="RecordBatchReader"/> for that), so a walk costs nothing per record and allocates
/// nothing. It also stops, rather than loop or throw, at a header whose batchLength is below the
/// 49-byte minimum: bytes that are not a batch end the walk as a partial batch does.
/// <see cref="WholeBatchBytes"/> says how far the walk got, e.g. where the next read should start.
/// </remarks>
public ref struct RecordBatchHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _batches;
    private int _next;

    public RecordBatchHeaderEnumerator(ReadOnlySpan<byte> batches) => _batches = batches;

    /// <summary>The current batch's header and the position of its first byte in the buffer.</summary>
    public (RecordBatchHeader Header, int Position) Current { get; private set; }

    /// <summary>Bytes of whole batches walked so far: after the walk, where the partial batch (if any) starts.</summary>
    public readonly int WholeBatchBytes => _next;

    public readonly RecordBatchHeaderEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next whole batch; false at the end of the buffer or at a partial batch.</summary>
    public bool MoveNext()
    {
        var remaining = _batches[_next..];
        if (remaining.Length < RecordBatchHeader.Size)
        {
            return false;
        }

        var header = RecordBatchHeader.Read(remaining);
        if (header.BatchLength < RecordBatchHeader.Size - 12 || header.SizeInBytes > remaining.Length)
        {
            return false;
        }

        Current = (header, _next);
        _next += header.SizeInBytes;
        return true;
    }
}
