using Microsoft.Extensions.Logging;

namespace Orka.Storage;

/// <summary>The node's view of corruption at rest: each range logged once, and which partitions have some.</summary>
public sealed partial class LogManager
{
    /// <summary>
    /// The open partitions with known corrupt ranges (found by reads or verify since they were
    /// opened), for the node's health check. Empty while all is well.
    /// </summary>
    public IReadOnlyList<(string Topic, int Partition, IReadOnlyList<CorruptBatchRange> Ranges)> KnownCorruption()
        => [.. _logs.Values
            .Where(log => !log.IsClosed)
            .Select(log => (log.Topic, log.Partition, Ranges: log.KnownCorruption))
            .Where(entry => entry.Ranges.Count > 0)
            .OrderBy(entry => entry.Topic, StringComparer.Ordinal).ThenBy(entry => entry.Partition)];

    /// <summary>Logs a corrupt range once, with the file and byte position an operator needs.</summary>
    private void LogCorruption(PartitionLog log, CorruptBatchRange range)
        => _logger.LogError("Corrupt data in {Topic}-{Partition}: offsets {FirstOffset}..{LastOffset} unreadable, segment file {SegmentPath} bytes {Position}..{EndPosition}: {Problem}. "
            + "Run 'orka partitions verify' and repair explicitly ('orka partitions repair').",
            log.Topic, log.Partition, range.FirstOffset, range.LastOffset, range.SegmentPath, range.Position, range.EndPosition, range.Problem);
}
