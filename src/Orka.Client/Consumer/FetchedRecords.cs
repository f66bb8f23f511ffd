using Orka.Records;

namespace Orka.Client.Consumer;

/// <summary>
/// The records of one fetch of one partition, decoded as they are taken: keys and values are
/// slices of the fetched buffer (no copies), and each <see cref="ConsumeResult"/> is made when
/// the application asks for it, so a catching-up consumer holds no more than one batch's
/// records at a time (a garbage collection then has little to keep alive). Records below the
/// fetch's offset (the start of the first batch, before the position) are skipped. Owned and
/// disposed by the <see cref="Fetcher"/>; the fetched buffer is the fetch result's, never copied.
/// </summary>
internal sealed class FetchedRecords : IDisposable
{
    private readonly IEnumerator<Record> _records;
    private readonly long _offset;

    private FetchedRecords(TopicPartition partition, long offset, ReadOnlyMemory<byte> batches, long nextFetchOffset)
    {
        Partition = partition;
        _offset = offset;
        _records = RecordBatchReader.ReadRecords(batches).GetEnumerator();
        NextFetchOffset = nextFetchOffset;
    }

    public TopicPartition Partition { get; }

    /// <summary>
    /// Where the next fetch starts: past the last whole batch read. Once every record here is
    /// delivered the partition's position moves there (the offsets between a batch's last
    /// remaining record and its end have no records: compacted away, or control markers).
    /// </summary>
    public long NextFetchOffset { get; }

    /// <summary>The next record at or after the fetch's offset; false when there are no more.</summary>
    /// <exception cref="CorruptRecordException">A fetched batch is corrupt.</exception>
    public bool TryTake(out ConsumeResult? record)
    {
        while (_records.MoveNext())
        {
            var next = _records.Current;
            if (next.Offset >= _offset)
            {
                record = new ConsumeResult(Partition, next.Offset, next.Timestamp, next.Key, next.Value, next.Headers);
                return true;
            }
        }

        record = null;
        return false;
    }

    /// <summary>The records of <paramref name="batches"/> from <paramref name="offset"/> on; a trailing partial batch is ignored.</summary>
    public static FetchedRecords Create(TopicPartition partition, long offset, ReadOnlyMemory<byte> batches)
    {
        var end = offset;
        foreach (var (header, _) in RecordBatchHeader.Enumerate(batches.Span))
        {
            end = Math.Max(end, header.LastOffset + 1);
        }

        return new FetchedRecords(partition, offset, batches, end);
    }

    public void Dispose() => _records.Dispose();
}
