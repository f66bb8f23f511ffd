namespace Orka.Broker.Cluster;

/// <summary>
/// Who this node is and where its data lives (configuration section <c>Orka</c>).
/// The node id is stable across restarts; the Orleans silo address is not.
/// </summary>
public sealed class OrkaNodeOptions
{
    public const string SectionName = "Orka";

    /// <summary><c>Orka:NodeId</c>: this node's stable id (0, 1, 2, …). Partitions are pinned to node ids.</summary>
    public int NodeId { get; set; }

    /// <summary><c>Orka:DataDirectory</c>: this node's partition logs. Default <c>.orka-data/node-{NodeId}</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// <c>Orka:MetadataDirectory</c>: the embedded metadata store (topic configs, committed offsets).
    /// Every silo of a cluster must see the same folder. Default: <c>metadata</c> beside the data directory.
    /// </summary>
    public string? MetadataDirectory { get; set; }

    /// <summary>
    /// <c>Orka:DeletedTopicSweepInterval</c>: how often the node looks for partitions of topics that
    /// were deleted while it was down (also once at start).
    /// </summary>
    public TimeSpan DeletedTopicSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <c>Orka:MaxOpenSegmentFiles</c>: the most partition segment files the node keeps open at once
    /// (default 4096); the least recently used idle ones are closed and reopened on demand, so the
    /// node's descriptors do not grow with its partitions. Keep it well under <c>ulimit -n</c>: the
    /// node warns at start when it is above half, and at run time when 80% of the limit is in use.
    /// </summary>
    public int MaxOpenSegmentFiles { get; set; } = 4096;

    /// <summary>
    /// <c>Orka:MaxPartitionsPerNode</c>: the most partition logs a node is given (default 20000); a
    /// topic creation or partition increase that would pass it on some node is refused with
    /// INVALID_PARTITIONS saying so. Each open partition costs memory (see docs/performance.md), not
    /// file descriptors beyond <see cref="MaxOpenSegmentFiles"/>. Set the same value on every node.
    /// </summary>
    public int MaxPartitionsPerNode { get; set; } = 20_000;

    /// <summary>The data directory after defaults, as a full path.</summary>
    public string ResolveDataDirectory() =>
        Path.GetFullPath(DataDirectory ?? Path.Combine(".orka-data", $"node-{NodeId}"));

    /// <summary>The metadata directory after defaults, as a full path.</summary>
    public string ResolveMetadataDirectory() =>
        Path.GetFullPath(MetadataDirectory ?? Path.Combine(ResolveDataDirectory(), "..", "metadata"));
}
