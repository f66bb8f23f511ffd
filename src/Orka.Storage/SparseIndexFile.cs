using Microsoft.Win32.SafeHandles;

namespace Orka.Storage;

/// <summary>
/// What the sparse indexes of a segment (<see cref="OffsetIndex"/>, <see cref="TimeIndex"/>) share:
/// a file of fixed-size entries back to back, no header, no padding, each column big-endian and
/// strictly increasing. The subclass defines the entry, its size and encoding, the checks made at
/// open and the key a lookup compares.
/// </summary>
/// <remarks>
/// Entries are kept in memory (8 or 12 bytes per ~4 KiB of log, 2 or 3 MiB for a 1 GiB segment);
/// lookups only use memory, and the file is only read at open. New entries reach the file in one
/// write when the index is flushed (<see cref="Flush"/>, before its fsync), released or disposed,
/// not one write per entry: that kept two extra syscalls on every small append. An index is a
/// cache of the log: a file that lacks the latest entries is still a valid, sparser index, and one
/// that is missing, torn or inconsistent is rebuilt by recovery from the <c>.log</c> file (which
/// always happens to a segment above the recovery point, i.e. one not flushed since it was written).
/// Thread-safety: one writer (<see cref="AppendEntry"/>) and any number of concurrent lookups
/// (<see cref="FindLast"/>); <see cref="Flush"/> may run beside the writer. The writer publishes an
/// entry (and a grown array) before it publishes the new count, and readers read the count first,
/// so they never see a torn entry.
/// </remarks>
internal abstract class SparseIndexFile<TEntry> : IDisposable
    where TEntry : struct
{
    private readonly string _path;
    private readonly int _entrySize;
    private SafeFileHandle? _file; // open while the segment is active; reopened on demand after ReleaseFile
    private TEntry[] _entries = new TEntry[16];
    private int _count;
    private readonly Lock _fileGate = new();
    private int _persistedCount; // entries [0, _persistedCount) are in the file; guarded by _fileGate

    /// <summary>Opens the file with <paramref name="mode"/> (Create: a new, empty index replacing any left over); entries start empty.</summary>
    protected SparseIndexFile(string path, int entrySize, FileMode mode)
    {
        _path = path;
        _entrySize = entrySize;
        _file = OpenFile(path, mode);
    }

    public string Path => _path;

    public int Count => Volatile.Read(ref _count);

    /// <summary>True while the file handle is open (an active segment's index, or one not yet released).</summary>
    public bool IsFileOpen => Volatile.Read(ref _file) is not null;

    /// <summary>The last entry, or null when the index is empty.</summary>
    public TEntry? Last
    {
        get
        {
            var count = Count;
            return count == 0 ? null : Volatile.Read(ref _entries)[count - 1];
        }
    }

    /// <summary>Replaces every entry, in memory and on disk, after recovery rebuilt them from the log; not concurrent with lookups.</summary>
    public void Reset(IReadOnlyList<TEntry> entries)
    {
        var bytes = new byte[entries.Count * _entrySize];
        for (var i = 0; i < entries.Count; i++)
        {
            Encode(entries[i], bytes.AsSpan(i * _entrySize, _entrySize));
        }

        var copy = new TEntry[Math.Max(16, entries.Count)];
        for (var i = 0; i < entries.Count; i++)
        {
            copy[i] = entries[i];
        }

        lock (_fileGate)
        {
            RandomAccess.SetLength(File, bytes.Length);
            RandomAccess.Write(File, bytes, 0);
            Volatile.Write(ref _entries, copy);
            Volatile.Write(ref _count, entries.Count);
            _persistedCount = entries.Count;
        }
    }

    /// <summary>Writes the entries made since the last write, then fsyncs the file.</summary>
    public void Flush()
    {
        WritePending();
        RandomAccess.FlushToDisk(File);
    }

    /// <summary>
    /// Closes the file handle of an index that is no longer written (its segment was rolled and
    /// flushed), after writing any entry the file still lacks: lookups use memory only. Not
    /// concurrent with <see cref="Flush"/> or writes.
    /// </summary>
    public void ReleaseFile()
    {
        if (_file is not null)
        {
            WritePending();
        }

        _file?.Dispose();
        _file = null;
    }

    public void Dispose() => ReleaseFile();

    /// <summary>Writes entries [persisted, count) to the file in one write (no fsync: they survive a process crash, not a power loss).</summary>
    public void WritePending()
    {
        lock (_fileGate)
        {
            var count = Volatile.Read(ref _count);
            var entries = Volatile.Read(ref _entries); // holds every entry below count (published first)
            if (count == _persistedCount)
            {
                return;
            }

            var bytes = new byte[(count - _persistedCount) * _entrySize];
            for (var i = _persistedCount; i < count; i++)
            {
                Encode(entries[i], bytes.AsSpan((i - _persistedCount) * _entrySize, _entrySize));
            }

            RandomAccess.Write(File, bytes, (long)_persistedCount * _entrySize);
            _persistedCount = count;
        }
    }

    /// <summary>Writes <paramref name="entry"/> into <paramref name="destination"/> (exactly one entry long).</summary>
    protected abstract void Encode(TEntry entry, Span<byte> destination);

    /// <summary>Reads one entry from <paramref name="source"/> (exactly one entry long).</summary>
    protected abstract TEntry Decode(ReadOnlySpan<byte> source);

    /// <summary>Whether <paramref name="entry"/> lies before <paramref name="key"/>, in the sense the lookup of the subclass defines.</summary>
    protected abstract bool IsBefore(TEntry entry, long key);

    /// <summary>
    /// Reads the file opened by the constructor into memory, checking each entry with
    /// <paramref name="isValid"/> (given the entry and the one before it, null for the first). The
    /// file length must be a multiple of the entry size. Returns false, with the file closed, when
    /// the file is torn or an entry fails the check, so the caller rebuilds the index.
    /// </summary>
    protected bool TryLoad(Func<TEntry, TEntry?, bool> isValid)
    {
        var file = File;
        try
        {
            var length = RandomAccess.GetLength(file);
            if (length % _entrySize != 0 || length / _entrySize > int.MaxValue / 2)
            {
                ReleaseFile();
                return false;
            }

            var bytes = new byte[length];
            if (RandomAccess.Read(file, bytes, 0) != bytes.Length)
            {
                ReleaseFile();
                return false;
            }

            var count = (int)(length / _entrySize);
            var entries = new TEntry[Math.Max(16, count)];
            for (var i = 0; i < count; i++)
            {
                var entry = Decode(bytes.AsSpan(i * _entrySize, _entrySize));
                if (!isValid(entry, i == 0 ? null : entries[i - 1]))
                {
                    ReleaseFile();
                    return false;
                }

                entries[i] = entry;
            }

            _entries = entries;
            _count = count;
            _persistedCount = count;
            return true;
        }
        catch
        {
            ReleaseFile();
            throw;
        }
    }

    /// <summary>Adds an entry at the end, in memory (see the class remarks); the caller keeps every column increasing.</summary>
    protected void AppendEntry(TEntry entry)
    {
        var count = _count;
        var entries = _entries;
        if (count == entries.Length)
        {
            var grown = new TEntry[entries.Length * 2];
            entries.AsSpan().CopyTo(grown);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }

        entries[count] = entry;
        Volatile.Write(ref _count, count + 1); // the file gets it at the next flush
    }

    /// <summary>The entries published so far (count read before the array, as <see cref="FindLast"/> does).</summary>
    protected ReadOnlySpan<TEntry> Entries
    {
        get
        {
            var count = Count;
            return Volatile.Read(ref _entries).AsSpan(0, count);
        }
    }

    /// <summary>The last entry that <see cref="IsBefore"/> <paramref name="key"/> (binary search), or null if there is none.</summary>
    protected TEntry? FindLast(long key)
    {
        var count = Count;
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (IsBefore(entries[mid], key))
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? null : entries[found];
    }

    private SafeFileHandle File => _file ??= OpenFile(_path, FileMode.Open);

    private static SafeFileHandle OpenFile(string path, FileMode mode)
        => System.IO.File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
}
