namespace Orka.Storage.Tests;

/// <summary>Reads logs back in tests (apart from the batch helpers, which the record format's tests share).</summary>
internal static partial class TestBatches
{
    /// <summary>Reads the whole log from its start, batch by batch, and returns every record.</summary>
    public static async Task<List<Record>> ReadAllAsync(PartitionLog log, int maxBytes = 64 * 1024)
    {
        var records = new List<Record>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var fetch = await log.ReadAsync(offset, maxBytes);
            AssertWholeBatches(fetch.Batches);
            var batchRecords = RecordBatchReader.ReadRecords(fetch.Batches).Where(r => r.Offset >= offset).ToList();
            Assert.NotEmpty(batchRecords);
            records.AddRange(batchRecords);
            offset = batchRecords[^1].Offset + 1;
        }

        return records;
    }
}
