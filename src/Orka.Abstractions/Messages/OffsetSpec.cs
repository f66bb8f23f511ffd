namespace Orka;

/// <summary>The special timestamps of Kafka's ListOffsets request.</summary>
public static class OffsetSpec
{
    /// <summary>The offset after the last record (the log end offset).</summary>
    public const long Latest = -1;

    /// <summary>The first offset still in the log (the log start offset).</summary>
    public const long Earliest = -2;
}
