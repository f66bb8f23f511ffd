using Orka.Storage;

namespace Orka.Client;

public sealed partial class OrkaConsumer
{
    /// <summary>
    /// A fetch under way: sent from <paramref name="Offset"/>, and usable only if the partition's
    /// position is <paramref name="Expected"/> when it is collected (they differ for a prefetch behind
    /// a compacted batch whose last offsets have no records).
    /// </summary>
    private readonly record struct PendingFetch(long Expected, long Offset, Task<FetchResult> Task);

    /// <summary>
    /// The records of one fetch of one partition, decoded once, taken in order. Keys and values are
    /// slices of the fetched buffer (no copies); the cost per record is its <see cref="ConsumeResult"/>.
    /// </summary>
    private sealed class FetchedRecords
    {
        private readonly List<ConsumeResult> _records;
        private int _next;

        private FetchedRecords(TopicPartition partition, List<ConsumeResult> records, long positionAfter, long nextFetchOffset)
        {
            Partition = partition;
            _records = records;
            PositionAfter = positionAfter;
            NextFetchOffset = nextFetchOffset;
        }

        public TopicPartition Partition { get; }

        /// <summary>The partition's position once every record here is delivered.</summary>
        public long PositionAfter { get; }

        /// <summary>Where the next fetch starts: past the last whole batch read (at least <see cref="PositionAfter"/>).</summary>
        public long NextFetchOffset { get; }

        public bool IsEmpty => _next == _records.Count;

        public bool TryTake(out ConsumeResult? record)
        {
            if (_next == _records.Count)
            {
                record = null;
                return false;
            }

            record = _records[_next];
            _records[_next++] = null!; // let the application's records go as soon as it drops them
            return true;
        }

        /// <summary>The records at or after <paramref name="offset"/> in <paramref name="batches"/>; a trailing partial batch is ignored.</summary>
        public static FetchedRecords Decode(TopicPartition partition, long offset, ReadOnlyMemory<byte> batches)
        {
            var records = new List<ConsumeResult>();
            foreach (var record in RecordBatchReader.ReadRecords(batches))
            {
                if (record.Offset >= offset)
                {
                    records.Add(new ConsumeResult(partition, record.Offset, record.Timestamp, record.Key, record.Value, record.Headers));
                }
            }

            var positionAfter = records.Count > 0 ? records[^1].Offset + 1 : offset;
            var end = -1L;
            foreach (var (header, _) in RecordBatchHeader.Enumerate(batches.Span))
            {
                end = header.LastOffset + 1;
            }

            return new FetchedRecords(partition, records, positionAfter, Math.Max(positionAfter, end));
        }
    }
}
