using System.Buffers.Binary;

namespace Orka.Storage;

/// <summary>
/// The sparse time index of one segment (<c>{baseOffset:D20}.timeindex</c>): 12-byte entries, each
/// a timestamp (int64, big-endian) and a batch base offset relative to the segment (int32,
/// big-endian). Entry (T, o) says: T is the largest timestamp in the segment up to and including
/// the batch at o, and that batch is the first to reach it. Both columns strictly increase.
/// </summary>
/// <remarks>
/// Written next to the offset index (same interval), only when the largest timestamp so far has
/// grown, plus one last entry when the segment stops being active, so that the last entry of a
/// closed segment carries its largest timestamp (what time-based retention compares).
/// Lookup of T: every batch up to the last entry with timestamp below T is older than T, so a
/// search for the first record at or after T may start there. Same file handling, memory and
/// thread-safety model as <see cref="OffsetIndex"/> (both are a <see cref="SparseIndexFile{TEntry}"/>);
/// also a cache of the log, rebuilt when inconsistent.
/// </remarks>
internal sealed class TimeIndex : SparseIndexFile<TimeIndex.Entry>
{
    public const int EntrySize = 12;

    private TimeIndex(string path, FileMode mode)
        : base(path, EntrySize, mode)
    {
    }

    public static TimeIndex Create(string path) => new(path, FileMode.Create);

    /// <summary>
    /// Opens an existing index and checks it: size a multiple of 12, both columns strictly
    /// increasing, offsets below <paramref name="maxRelativeOffset"/>. Null (file closed) when it
    /// is missing or fails a check.
    /// </summary>
    public static TimeIndex? TryOpen(string path, long maxRelativeOffset)
    {
        if (!System.IO.File.Exists(path))
        {
            return null;
        }

        var index = new TimeIndex(path, FileMode.Open);
        return index.TryLoad((entry, previous) =>
        {
            var ordered = previous is not { } p
                ? entry.RelativeOffset >= 0
                : entry.Timestamp > p.Timestamp && entry.RelativeOffset > p.RelativeOffset;
            return ordered && entry.RelativeOffset <= maxRelativeOffset;
        })
            ? index
            : null;
    }

    /// <summary>Adds an entry if <paramref name="timestamp"/> is larger than the last one's.</summary>
    public void MaybeAppend(long timestamp, int relativeOffset)
    {
        if (Last is { } last && (timestamp <= last.Timestamp || relativeOffset <= last.RelativeOffset))
        {
            return;
        }

        AppendEntry(new Entry(timestamp, relativeOffset));
    }

    /// <summary>
    /// The relative offset of the last entry whose timestamp is below <paramref name="timestamp"/>
    /// (every batch before it is older), or 0 if there is none.
    /// </summary>
    public int Lookup(long timestamp) => FindLast(timestamp) is { } entry ? entry.RelativeOffset : 0;

    protected override void Encode(Entry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, entry.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], entry.RelativeOffset);
    }

    protected override Entry Decode(ReadOnlySpan<byte> source)
        => new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[8..]));

    /// <summary>Lookup order: an entry whose timestamp is strictly below the wanted one.</summary>
    protected override bool IsBefore(Entry entry, long key) => entry.Timestamp < key;

    /// <summary>One entry: the largest timestamp so far, and the relative offset of the batch that first reached it.</summary>
    public readonly record struct Entry(long Timestamp, int RelativeOffset);
}
