namespace Orka;

/// <summary>Where <see cref="OffsetResetRequest"/> moves a group's committed offsets.</summary>
[GenerateSerializer, Alias("Orka.OffsetResetKind")]
public enum OffsetResetKind
{
    /// <summary>The log start offset: the group reads everything still in the log again.</summary>
    Earliest = 0,

    /// <summary>The log end offset: the group skips everything produced so far.</summary>
    Latest = 1,

    /// <summary>The first offset whose timestamp is at or after the value (ms since the epoch); the log end when there is none.</summary>
    Timestamp = 2,

    /// <summary>Exactly the value, which must lie within [log start, log end].</summary>
    Offset = 3,
}
