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
/// <para>File handles: none is kept. The file is opened for the load at open, for each write of
/// pending entries and for its fsync, and closed right after, so a node's descriptor count does not
/// grow with its partitions (two index files per active segment would be two thirds of it). That
/// costs an open(2) and a close(2) per flush that has new entries, next to an fsync of the
/// <c>.log</c> that costs a hundred times more.</para>
/// </remarks>
internal abstract class SparseIndexFile<TEntry> : IDisposable
    where TEntry : struct
{
    private readonly int _entrySize;
    private readonly Lock _fileGate = new();
    private string _path; // guarded by _fileGate: a rename to *.deleted moves it
    private TEntry[] _entries = new TEntry[16];
    private int _count;
    private int _persistedCount; // entries [0, _persistedCount) are in the file; guarded by _fileGate
    private volatile bool _unsynced; // the file was created or written since its last fsync

    /// <summary>
    /// With <see cref="FileMode.Create"/>, creates a new, empty index file (replacing any left over);
    /// with <see cref="FileMode.Open"/>, the file must exist and <see cref="TryLoad"/> reads it. Entries start empty.
    /// </summary>
    protected SparseIndexFile(string path, int entrySize, FileMode mode)
    {
        _path = path;
        _entrySize = entrySize;
        if (mode != FileMode.Open)
        {
            OpenFile(path, mode).Dispose();
            _unsynced = true;
        }
    }

    public string Path
    {
        get
        {
            lock (_fileGate)
            {
                return _path;
            }
        }
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>True while the file holds bytes (its creation, entries) that no fsync has covered yet.</summary>
    public bool HasUnsyncedWrites => _unsynced;

    /// <summary>
    /// Renames the file to <paramref name="newPath"/>; later writes go there. Under the file lock, so
    /// a write of pending entries never opens the old name after another file has taken it.
    /// </summary>
    public void MoveTo(string newPath)
    {
        lock (_fileGate)
        {
            System.IO.File.Move(_path, newPath, overwrite: true);
            _path = newPath;
        }
    }

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
            using var file = OpenFile(_path, FileMode.Open);
            RandomAccess.SetLength(file, bytes.Length);
            RandomAccess.Write(file, bytes, 0);
            _unsynced = true;
            Volatile.Write(ref _entries, copy);
            Volatile.Write(ref _count, entries.Count);
            _persistedCount = entries.Count;
        }
    }

    /// <summary>Writes the entries made since the last write, then fsyncs the file (if anything reached it since the last fsync).</summary>
    public void Flush()
    {
        lock (_fileGate)
        {
            if (!_unsynced && Volatile.Read(ref _count) == _persistedCount)
            {
                return;
            }

            using var file = OpenFile(_path, FileMode.Open);
            if (TryWritePending(file))
            {
                RandomAccess.FlushToDisk(file); // fsync covers the file's dirty pages whichever handle wrote them
                _unsynced = false;
            }
        }
    }

    /// <summary>Writes any entry the file still lacks, for an index that is no longer written (its segment was rolled and flushed).</summary>
    public void ReleaseFile() => WritePending();

    public void Dispose() => ReleaseFile();

    /// <summary>Writes entries [persisted, count) to the file in one write (no fsync: they survive a process crash, not a power loss); on a full disk they stay pending.</summary>
    public void WritePending()
    {
        lock (_fileGate)
        {
            if (Volatile.Read(ref _count) == _persistedCount)
            {
                return;
            }

            using var file = OpenFile(_path, FileMode.Open);
            TryWritePending(file);
        }
    }

    /// <summary>
    /// Writes the pending entries; false, leaving them pending for the next flush, when the disk is
    /// full. The file then lacks the newest entries, which is still a valid, sparser index.
    /// </summary>
    private bool TryWritePending(SafeFileHandle file)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries); // holds every entry below count (published first)
        if (count == _persistedCount)
        {
            return true;
        }

        var bytes = new byte[(count - _persistedCount) * _entrySize];
        for (var i = _persistedCount; i < count; i++)
        {
            Encode(entries[i], bytes.AsSpan((i - _persistedCount) * _entrySize, _entrySize));
        }

        try
        {
            RandomAccess.Write(file, bytes, (long)_persistedCount * _entrySize);
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            RandomAccess.SetLength(file, (long)_persistedCount * _entrySize); // drop a partial entry
            return false;
        }

        _persistedCount = count;
        _unsynced = true;
        return true;
    }

    /// <summary>Writes <paramref name="entry"/> into <paramref name="destination"/> (exactly one entry long).</summary>
    protected abstract void Encode(TEntry entry, Span<byte> destination);

    /// <summary>Reads one entry from <paramref name="source"/> (exactly one entry long).</summary>
    protected abstract TEntry Decode(ReadOnlySpan<byte> source);

    /// <summary>Whether <paramref name="entry"/> lies before <paramref name="key"/>, in the sense the lookup of the subclass defines.</summary>
    protected abstract bool IsBefore(TEntry entry, long key);

    /// <summary>
    /// Reads the file into memory, checking each entry with
    /// <paramref name="isValid"/> (given the entry and the one before it, null for the first). The
    /// file length must be a multiple of the entry size. Returns false when
    /// the file is torn or an entry fails the check, so the caller rebuilds the index.
    /// </summary>
    protected bool TryLoad(Func<TEntry, TEntry?, bool> isValid)
    {
        using var file = OpenFile(_path, FileMode.Open);
        var length = RandomAccess.GetLength(file);
        if (length % _entrySize != 0 || length / _entrySize > int.MaxValue / 2)
        {
            return false;
        }

        var bytes = new byte[length];
        if (RandomAccess.Read(file, bytes, 0) != bytes.Length)
        {
            return false;
        }

        var count = (int)(length / _entrySize);
        var entries = new TEntry[Math.Max(16, count)];
        for (var i = 0; i < count; i++)
        {
            var entry = Decode(bytes.AsSpan(i * _entrySize, _entrySize));
            if (!isValid(entry, i == 0 ? null : entries[i - 1]))
            {
                return false;
            }

            entries[i] = entry;
        }

        _entries = entries;
        _count = count;
        _persistedCount = count;
        return true;
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

    private static SafeFileHandle OpenFile(string path, FileMode mode)
        => System.IO.File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
}
