using System.Buffers.Binary;

namespace Orka.Storage;

/// <summary>
/// The sparse offset index of one segment (<c>{baseOffset:D20}.index</c>): a sequence of 8-byte
/// entries, each the base offset of a batch relative to the segment's base offset (int32,
/// big-endian) followed by that batch's byte position in the <c>.log</c> file (int32, big-endian).
/// An entry is added for the first batch that starts after more than <c>index.interval.bytes</c>
/// of log since the previous entry, so a lookup lands at most about that many bytes before the
/// batch it wants. Both columns strictly increase.
/// </summary>
/// <remarks>
/// Entries are kept in memory (8 bytes per ~4 KiB of log, 2 MiB for a 1 GiB segment) and appended
/// to the file as they are made; the file is only read at open. It is a cache of the log: if it is
/// missing, torn or inconsistent, recovery rebuilds it from the <c>.log</c> file. File handling and
/// the thread-safety model (one writer, any number of concurrent lookups) are those of
/// <see cref="SparseIndexFile{TEntry}"/>.
/// </remarks>
internal sealed class OffsetIndex : SparseIndexFile<OffsetIndex.Entry>
{
    public const int EntrySize = 8;

    private OffsetIndex(string path, FileMode mode)
        : base(path, EntrySize, mode)
    {
    }

    /// <summary>Creates an empty index file (replacing any left over) for a new segment.</summary>
    public static OffsetIndex Create(string path) => new(path, FileMode.Create);

    /// <summary>
    /// Opens an existing index and checks it against the log it indexes: size a multiple of 8,
    /// both columns strictly increasing, positions inside the log. Returns null (and closes the
    /// file) when it is missing or fails a check, so the caller rebuilds it.
    /// </summary>
    public static OffsetIndex? TryOpen(string path, long logSize)
    {
        if (!System.IO.File.Exists(path))
        {
            return null;
        }

        var index = new OffsetIndex(path, FileMode.Open);
        return index.TryLoad((entry, previous) =>
        {
            var ordered = previous is not { } p
                ? entry.RelativeOffset >= 0 && entry.Position >= 0
                : entry.RelativeOffset > p.RelativeOffset && entry.Position > p.Position;
            return ordered && entry.Position < logSize;
        })
            ? index
            : null;
    }

    /// <summary>Adds an entry at the end; the caller keeps both columns increasing.</summary>
    public void Append(int relativeOffset, int position) => AppendEntry(new Entry(relativeOffset, position));

    /// <summary>
    /// The position of the last indexed batch whose base offset is at or below
    /// <paramref name="relativeOffset"/>, or 0 (the segment's first batch) if there is none.
    /// </summary>
    public int Lookup(long relativeOffset) => FindLast(relativeOffset) is { } entry ? entry.Position : 0;

    /// <summary>The last entry at or below <paramref name="relativeOffset"/>, or null (then the walk starts at position 0).</summary>
    public Entry? Floor(long relativeOffset) => FindLast(relativeOffset);

    /// <summary>
    /// The position of the first indexed batch after <paramref name="position"/>, or null. Entries
    /// only ever point at batch starts, so no batch starting at or after <paramref name="position"/>
    /// can end beyond it: a read uses it to bound a batch length it has not validated yet.
    /// </summary>
    public int? NextPositionAfter(long position)
    {
        var entries = Entries;
        int low = 0, high = entries.Length - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].Position > position)
            {
                found = mid;
                high = mid - 1;
            }
            else
            {
                low = mid + 1;
            }
        }

        return found < 0 ? null : entries[found].Position;
    }

    protected override void Encode(Entry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, entry.RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], entry.Position);
    }

    protected override Entry Decode(ReadOnlySpan<byte> source)
        => new(BinaryPrimitives.ReadInt32BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[4..]));

    /// <summary>Lookup order: an entry at or below the wanted relative offset.</summary>
    protected override bool IsBefore(Entry entry, long key) => entry.RelativeOffset <= key;

    /// <summary>One index entry: a batch's base offset relative to the segment, and its position in the log file.</summary>
    public readonly record struct Entry(int RelativeOffset, int Position);
}
