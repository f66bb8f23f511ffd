using System.Buffers.Binary;

using Microsoft.Win32.SafeHandles;

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
/// missing, torn or inconsistent, recovery rebuilds it from the <c>.log</c> file.
/// Thread-safety: one writer (<see cref="Append"/>) and any number of concurrent
/// <see cref="Lookup"/> callers. The writer publishes an entry (and a grown array) before it
/// publishes the new count, and readers read the count first, so they never see a torn entry.
/// </remarks>
internal sealed class OffsetIndex : IDisposable
{
    public const int EntrySize = 8;

    private readonly string _path;
    private SafeFileHandle? _file; // open while the segment is active; reopened on demand after ReleaseFile
    private Entry[] _entries;
    private int _count;

    private OffsetIndex(string path, SafeFileHandle file, Entry[] entries, int count)
    {
        _path = path;
        _file = file;
        _entries = entries;
        _count = count;
    }

    public string Path => _path;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The last entry, or null when the index is empty.</summary>
    public Entry? Last
    {
        get
        {
            var count = Count;
            return count == 0 ? null : Volatile.Read(ref _entries)[count - 1];
        }
    }

    /// <summary>Creates an empty index file (replacing any left over) for a new segment.</summary>
    public static OffsetIndex Create(string path)
        => new(path, OpenFile(path, FileMode.Create), new Entry[16], 0);

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

        var file = OpenFile(path, FileMode.Open);
        try
        {
            var length = RandomAccess.GetLength(file);
            if (length % EntrySize != 0 || length / EntrySize > int.MaxValue / 2)
            {
                file.Dispose();
                return null;
            }

            var bytes = new byte[length];
            if (RandomAccess.Read(file, bytes, 0) != bytes.Length)
            {
                file.Dispose();
                return null;
            }

            var count = (int)(length / EntrySize);
            var entries = new Entry[Math.Max(16, count)];
            for (var i = 0; i < count; i++)
            {
                var entry = new Entry(
                    BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize)),
                    BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 4)));
                var ordered = i == 0
                    ? entry.RelativeOffset >= 0 && entry.Position >= 0
                    : entry.RelativeOffset > entries[i - 1].RelativeOffset && entry.Position > entries[i - 1].Position;
                if (!ordered || entry.Position >= logSize)
                {
                    file.Dispose();
                    return null;
                }

                entries[i] = entry;
            }

            return new OffsetIndex(path, file, entries, count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Adds an entry at the end; the caller keeps both columns increasing.</summary>
    public void Append(int relativeOffset, int position)
    {
        var count = _count;
        var entries = _entries;
        if (count == entries.Length)
        {
            var grown = new Entry[entries.Length * 2];
            entries.AsSpan().CopyTo(grown);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }

        entries[count] = new Entry(relativeOffset, position);
        Span<byte> bytes = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(bytes, relativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], position);
        RandomAccess.Write(File, bytes, (long)count * EntrySize);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>
    /// The position of the last indexed batch whose base offset is at or below
    /// <paramref name="relativeOffset"/>, or 0 (the segment's first batch) if there is none.
    /// </summary>
    public int Lookup(long relativeOffset)
    {
        var count = Count;
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].RelativeOffset <= relativeOffset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? 0 : entries[found].Position;
    }

    /// <summary>Replaces every entry, in memory and on disk, after recovery rebuilt them from the log; not concurrent with lookups.</summary>
    public void Reset(IReadOnlyList<Entry> entries)
    {
        var bytes = new byte[entries.Count * EntrySize];
        for (var i = 0; i < entries.Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * EntrySize), entries[i].RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * EntrySize + 4), entries[i].Position);
        }

        RandomAccess.SetLength(File, bytes.Length);
        RandomAccess.Write(File, bytes, 0);
        var copy = new Entry[Math.Max(16, entries.Count)];
        for (var i = 0; i < entries.Count; i++)
        {
            copy[i] = entries[i];
        }

        Volatile.Write(ref _entries, copy);
        Volatile.Write(ref _count, entries.Count);
    }

    public void Flush() => RandomAccess.FlushToDisk(File);

    /// <summary>
    /// Closes the file handle of an index that is no longer written (its segment was rolled and
    /// flushed): lookups use memory only. Not concurrent with <see cref="Flush"/> or writes.
    /// </summary>
    public void ReleaseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    public void Dispose() => ReleaseFile();

    private SafeFileHandle File => _file ??= OpenFile(_path, FileMode.Open);

    private static SafeFileHandle OpenFile(string path, FileMode mode)
        => System.IO.File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>One index entry: a batch's base offset relative to the segment, and its position in the log file.</summary>
    public readonly record struct Entry(int RelativeOffset, int Position);
}
