namespace Orka;

/// <summary>
/// The metadata store: where the cluster keeps its small state (topics and their partition
/// assignments, committed offsets, producer ids, Kafka endpoints) as Orleans grain state. Never the
/// record payloads, which stay in each node's log engine.
/// </summary>
public static class MetadataStore
{
    /// <summary>The Orleans grain-state provider name every Orka grain persists through.</summary>
    public const string Name = "orka-metadata";
}
