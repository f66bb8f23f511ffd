using Orka.Records;

namespace Orka.Gateway.Api.Search;

/// <summary>
/// One partition's side of a search: records fetched but not yet looked at, and where the next fetch
/// starts. <see cref="NextOffset"/> is the first record not yet scanned, so a search that stops here
/// continues from it without skipping or repeating a record. <paramref name="fetchBytes"/> is asked
/// per fetch (a batch larger than that still comes whole).
/// </summary>
internal sealed class PartitionScan(int partition, IPartitionGrain grain, long start, int fetchBytes)
{
    private readonly Queue<Record> _buffer = new();
    private long _fetchAt = start;

    public int Partition { get; } = partition;

    /// <summary>The log end (high watermark) seen by the last fetch; -1 before the first.</summary>
    public long LogEndOffset { get; private set; } = -1;

    /// <summary>No record left before the log end seen last.</summary>
    public bool AtEnd { get; private set; }

    /// <summary>The first offset not scanned yet.</summary>
    public long NextOffset => _buffer.TryPeek(out var head) ? head.Offset : _fetchAt;

    /// <summary>The next record to scan, if one is buffered.</summary>
    public bool TryPeek(out Record record) => _buffer.TryPeek(out record);

    public Record Take() => _buffer.Dequeue();

    /// <summary>Fetches until a record is buffered or the partition's end is reached.</summary>
    public async Task FillAsync(CancellationToken cancellationToken)
    {
        while (_buffer.Count == 0 && !AtEnd)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fetched = await grain.FetchAsync(new FetchRequest(_fetchAt, fetchBytes, 0, TimeSpan.Zero));
            LogEndOffset = fetched.HighWatermark;
            var before = _fetchAt;
            foreach (var record in RecordBatchReader.ReadRecords(fetched.Batches))
            {
                if (record.Offset >= _fetchAt)
                {
                    _buffer.Enqueue(record);
                    _fetchAt = record.Offset + 1;
                }
            }

            // A compacted batch can end with offsets whose records are gone: step past whole batches.
            if (RecordsApi.EndOfWholeBatches(fetched.Batches.Span) is var end && end > _fetchAt)
            {
                _fetchAt = end;
            }

            if (_buffer.Count == 0 && (fetched.Batches.IsEmpty || _fetchAt >= LogEndOffset || _fetchAt == before))
            {
                AtEnd = true; // caught up (or, never expected, a fetch that did not move)
            }
        }
    }
}
