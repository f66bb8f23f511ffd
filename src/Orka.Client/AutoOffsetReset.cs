namespace Orka.Client;

/// <summary>Where a consumer starts when it has no committed offset (or its offset is gone).</summary>
public enum AutoOffsetReset
{
    /// <summary>Start at the partition's log start offset: read everything still retained.</summary>
    Earliest,
    /// <summary>Start at the partition's log end offset: read only records produced from now on.</summary>
    Latest,
}
