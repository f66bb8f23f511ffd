namespace Orka.Storage;

/// <summary>
/// The durable log of one partition: a directory of segments. One writer (appends are not
/// thread-safe with each other), many concurrent readers.
/// </summary>
public sealed class PartitionLog : IAsyncDisposable
{
    private PartitionLog() { }

    public string Topic => throw new NotImplementedException();
    public int Partition => throw new NotImplementedException();

    /// <summary>The first offset still in the log.</summary>
    public long LogStartOffset => throw new NotImplementedException();

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => throw new NotImplementedException();

    /// <summary>Every offset below this one is fsynced.</summary>
    public long RecoveryPoint => throw new NotImplementedException();

    /// <summary>Bytes of all segments.</summary>
    public long SizeInBytes => throw new NotImplementedException();

    /// <summary>
    /// Validates one or more RecordBatch v2 batches, assigns their base offsets from
    /// <see cref="LogEndOffset"/> and appends them. All or nothing: a bad batch fails the whole call
    /// and leaves the log untouched.
    /// </summary>
    public ValueTask<LogAppendInfo> AppendAsync(ReadOnlyMemory<byte> batches, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>
    /// Whole batches from the one containing <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> but always at least one batch. An offset equal to
    /// <see cref="LogEndOffset"/> returns no bytes; outside [start, end] throws OffsetOutOfRange.
    /// </summary>
    public ValueTask<FetchDataInfo> ReadAsync(long offset, int maxBytes, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Fsyncs everything appended so far; concurrent callers share one fsync.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
