namespace Orka.Client;

/// <summary>Where a consumer starts when it has no committed offset (or its offset is gone).</summary>
public enum AutoOffsetReset
{
    Earliest,
    Latest,
}
