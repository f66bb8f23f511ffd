namespace Orka.Storage;

/// <summary>
/// Kafka's <c>cleanup.policy</c>: what happens to closed segments. <see cref="Delete"/> removes
/// whole old segments by retention.ms / retention.bytes; <see cref="Compact"/> keeps only the latest
/// record per key (see <see cref="PartitionLog.CompactAsync"/>); both together (<c>compact,delete</c>)
/// compact and also apply retention.
/// </summary>
[Flags]
public enum CleanupPolicy
{
    /// <summary><c>delete</c>: retention deletes old segments (the default).</summary>
    Delete = 1,

    /// <summary><c>compact</c>: the log cleaner keeps the latest record per key; retention by time and size is off.</summary>
    Compact = 2,
}
