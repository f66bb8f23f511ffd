namespace Orka.Cli.Perf;

/// <summary>
/// What a perf consumer has read so far: written by the reading loop, read by the idle watchdog
/// (which notices progress by the count changing, so the loop reads no clock per record).
/// </summary>
internal sealed class ConsumeProgress
{
    private long _records;

    /// <summary>Records read.</summary>
    public long Records => Volatile.Read(ref _records);

    /// <summary>Key plus value bytes read (read it once the loop has ended).</summary>
    public long Bytes { get; private set; }

    /// <summary>Counts one record of <paramref name="bytes"/> key plus value bytes.</summary>
    public void Add(long bytes)
    {
        Bytes += bytes;
        Volatile.Write(ref _records, _records + 1);
    }
}
