namespace Orka;

/// <summary>
/// <c>cleanup.policy</c>: <see cref="Delete"/> drops old segments by retention, <see cref="Compact"/>
/// keeps the latest record per key; both together compact and apply retention. The values equal the
/// log engine's <c>CleanupPolicy</c>.
/// </summary>
[Flags]
public enum TopicCleanupPolicy
{
    Delete = 1,
    Compact = 2,
}
