using Microsoft.Extensions.Logging;
using Orka.Storage;

namespace Orka.Broker.Partitions;

/// <summary>Verifying the partition's stored batches and the explicit repair of a corrupt range.</summary>
internal sealed partial class PartitionGrain
{
    public async Task<PartitionVerification> VerifyAsync()
    {
        try
        {
            var result = await Log.VerifyAsync();
            return new PartitionVerification(_partition.Partition, _nodeId, result.Segments, result.Batches, result.Bytes,
                [.. result.CorruptRanges.Select(ToContract)]);
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }
    }

    public async Task<PartitionRepair> SkipCorruptAsync(long fromOffset, long toOffset)
    {
        // Behind the append gate: nothing appends or deletes records while segments are rewritten.
        await _appendGate.WaitAsync();
        try
        {
            var report = await Log.SkipCorruptAsync(fromOffset, toOffset);
            logger.LogWarning("Repair of {Partition}: skipped offsets {From}..{To} ({Batches} valid batches and {Bytes} bytes dropped, {Segments} segments rewritten)",
                _partition, fromOffset, toOffset, report.BatchesDropped, report.BytesDropped, report.SegmentsRewritten);
            return new PartitionRepair(_partition.Partition, fromOffset, toOffset, report.SegmentsRewritten, report.BatchesDropped, report.BytesDropped);
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }
        finally
        {
            _appendGate.Release();
        }
    }

    private static CorruptRange ToContract(CorruptBatchRange range)
        => new(range.SegmentFile, range.Position, range.EndPosition, range.FirstOffset, range.LastOffset, range.Problem);
}
