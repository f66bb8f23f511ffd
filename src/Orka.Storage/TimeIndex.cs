using System.Buffers.Binary;

using Microsoft.Win32.SafeHandles;

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
/// search for the first record at or after T may start there. Same memory and thread-safety model
/// as <see cref="OffsetIndex"/>; also a cache of the log, rebuilt when inconsistent.
/// </remarks>
internal sealed class TimeIndex : IDisposable
{
    public const int EntrySize = 12;

    private readonly string _path;
    private SafeFileHandle? _file; // open while the segment is active; reopened on demand after ReleaseFile
    private Entry[] _entries;
    private int _count;

    private TimeIndex(string path, SafeFileHandle file, Entry[] entries, int count)
    {
        _path = path;
        _file = file;
        _entries = entries;
        _count = count;
    }

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

    public static TimeIndex Create(string path)
        => new(path, OpenFile(path, FileMode.Create), new Entry[16], 0);

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
                    BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize)),
                    BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 8)));
                var ordered = i == 0
                    ? entry.RelativeOffset >= 0
                    : entry.Timestamp > entries[i - 1].Timestamp && entry.RelativeOffset > entries[i - 1].RelativeOffset;
                if (!ordered || entry.RelativeOffset > maxRelativeOffset)
                {
                    file.Dispose();
                    return null;
                }

                entries[i] = entry;
            }

            return new TimeIndex(path, file, entries, count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Adds an entry if <paramref name="timestamp"/> is larger than the last one's.</summary>
    public void MaybeAppend(long timestamp, int relativeOffset)
    {
        var count = _count;
        var entries = _entries;
        if (count > 0 && (timestamp <= entries[count - 1].Timestamp || relativeOffset <= entries[count - 1].RelativeOffset))
        {
            return;
        }

        if (count == entries.Length)
        {
            var grown = new Entry[entries.Length * 2];
            entries.AsSpan().CopyTo(grown);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }

        entries[count] = new Entry(timestamp, relativeOffset);
        Span<byte> bytes = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt64BigEndian(bytes, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], relativeOffset);
        RandomAccess.Write(File, bytes, (long)count * EntrySize);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>
    /// The relative offset of the last entry whose timestamp is below <paramref name="timestamp"/>
    /// (every batch before it is older), or 0 if there is none.
    /// </summary>
    public int Lookup(long timestamp)
    {
        var count = Count;
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].Timestamp < timestamp)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? 0 : entries[found].RelativeOffset;
    }

    /// <summary>Replaces every entry (after recovery rebuilt them); not concurrent with lookups.</summary>
    public void Reset(IReadOnlyList<Entry> entries)
    {
        var bytes = new byte[entries.Count * EntrySize];
        for (var i = 0; i < entries.Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * EntrySize), entries[i].Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * EntrySize + 8), entries[i].RelativeOffset);
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

    /// <summary>One entry: the largest timestamp so far, and the relative offset of the batch that first reached it.</summary>
    public readonly record struct Entry(long Timestamp, int RelativeOffset);
}
