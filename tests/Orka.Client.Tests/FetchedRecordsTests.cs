using System.Buffers.Binary;
using System.Text;
using Orka.Client.Consumer;
using Orka.Records;

namespace Orka.Client.Tests;

public sealed class FetchedRecordsTests
{
    private static readonly TopicPartition Partition = new("fetched", 0);

    // Intent: a fetch from the middle of a batch yields the records from the requested offset on, with their offsets, keys and values.
    [Fact]
    public void FetchedRecords_BatchStartsBeforeRequestedOffset_SkipsRecordsBelowIt()
    {
        var batches = Batch(baseOffset: 10, "a", "b", "c", "d", "e");

        using var fetched = FetchedRecords.Create(Partition, 12, batches);

        var records = TakeAll(fetched);
        Assert.Equal([12L, 13L, 14L], records.Select(r => r.Offset));
        Assert.Equal(["c", "d", "e"], records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
        Assert.All(records, r => Assert.Equal(Partition, r.Partition));
        Assert.Equal(15, fetched.NextFetchOffset);
    }

    // Intent: a trailing partial batch (a fetch cut at its byte limit) is left for the next fetch, which starts right after the last whole batch.
    [Fact]
    public void FetchedRecords_TrailingPartialBatch_IgnoredAndNextFetchStartsAtIt()
    {
        var whole = Batch(baseOffset: 0, "a", "b");
        var next = Batch(baseOffset: 2, "c", "d");
        var fetchedBytes = whole.ToArray().Concat(next.ToArray().Take(next.Length - 5)).ToArray();

        using var fetched = FetchedRecords.Create(Partition, 0, fetchedBytes);

        Assert.Equal([0L, 1L], TakeAll(fetched).Select(r => r.Offset));
        Assert.Equal(2, fetched.NextFetchOffset);
    }

    // Intent: a fetch whose records all lie below the position (compacted away after it) still moves the next fetch past the batch.
    [Fact]
    public void FetchedRecords_NoRecordAtOrAfterOffset_YieldsNothingAndMovesPastBatch()
    {
        var batches = Batch(baseOffset: 5, "a", "b");

        using var fetched = FetchedRecords.Create(Partition, 7, batches);

        Assert.Empty(TakeAll(fetched));
        Assert.Equal(7, fetched.NextFetchOffset);
    }

    private static List<ConsumeResult> TakeAll(FetchedRecords fetched)
    {
        var records = new List<ConsumeResult>();
        while (fetched.TryTake(out var record))
        {
            records.Add(record!);
        }

        return records;
    }

    /// <summary>One batch of the given values at <paramref name="baseOffset"/> (the first 8 bytes, outside the CRC, as the log stamps them).</summary>
    private static ReadOnlyMemory<byte> Batch(long baseOffset, params string[] values)
    {
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1_000, default, Encoding.UTF8.GetBytes(value), keyIsNull: true);
        }

        var bytes = builder.Build();
        BinaryPrimitives.WriteInt64BigEndian(bytes, baseOffset);
        return bytes;
    }
}
