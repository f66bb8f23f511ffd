using System.Globalization;
using System.Text;

namespace Orka.Storage;

/// <summary>
/// The leader epochs of one partition's log: for each epoch, the first offset a leader of that
/// epoch wrote (Kafka's <c>LeaderEpochFileCache</c>, KIP-101/KIP-279). A follower asks its new
/// leader <see cref="EndOffsetFor"/> its own latest epoch and truncates its log to the answer, so a
/// replica never keeps records the current leader does not have.
/// </summary>
/// <remarks>
/// <para>What must stay true: epochs and start offsets both strictly increase along
/// <see cref="Entries"/>; every start offset is below the log end offset (callers truncate the
/// cache with the log, <see cref="TruncateFromEnd"/>) and at or above the log start offset
/// (<see cref="TruncateFromStart"/>).</para>
/// <para>File (<see cref="LogFileNames.LeaderEpochCheckpoint"/> in the partition directory, layout in
/// FORMAT.md): text in Kafka's checkpoint layout, version <c>0</c>, the entry count, then
/// <c>epoch startOffset</c> per line; rewritten whole by <see cref="DurableFile.WriteAtomically"/>
/// on every change, which is rare (a change of leader, a truncation). A file that does not parse
/// opens as an empty cache with <see cref="NeedsRebuild"/> set: the log then rebuilds it from the
/// <c>partitionLeaderEpoch</c> of its batches.</para>
/// <para>Thread-safe: every member takes one lock; reads copy nothing but the answer.</para>
/// </remarks>
public sealed class LeaderEpochCache
{
    /// <summary>Kafka's UNDEFINED_EPOCH: no epoch (a batch no leader stamped carries it).</summary>
    public const int UndefinedEpoch = -1;

    /// <summary>Kafka's UNDEFINED_EPOCH_OFFSET: the answer for an epoch this log cannot place.</summary>
    public const long UndefinedOffset = -1;

    private const int Version = 0;

    private readonly Lock _sync = new();
    private readonly string? _path;
    private readonly List<EpochEntry> _entries;

    private LeaderEpochCache(string? path, List<EpochEntry> entries, bool needsRebuild)
    {
        _path = path;
        _entries = entries;
        NeedsRebuild = needsRebuild;
    }

    /// <summary>True when the checkpoint existed but did not parse: the cache opened empty and must be rebuilt from the log.</summary>
    public bool NeedsRebuild { get; }

    /// <summary>A cache kept in memory only (tests, and logs that are not replicated).</summary>
    public static LeaderEpochCache InMemory() => new(null, [], needsRebuild: false);

    /// <summary>Reads the checkpoint in <paramref name="partitionDirectory"/>, if any; changes are written back to it.</summary>
    public static LeaderEpochCache Open(string partitionDirectory)
    {
        var path = Path.Combine(partitionDirectory, LogFileNames.LeaderEpochCheckpoint);
        if (!File.Exists(path))
        {
            return new LeaderEpochCache(path, [], needsRebuild: false);
        }

        var entries = Parse(File.ReadAllLines(path, Encoding.UTF8));
        return entries is null ? new LeaderEpochCache(path, [], needsRebuild: true) : new LeaderEpochCache(path, entries, needsRebuild: false);
    }

    /// <summary>The epochs, oldest first.</summary>
    public IReadOnlyList<EpochEntry> Entries
    {
        get
        {
            lock (_sync)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The newest epoch, or null when no leader has written to this log yet.</summary>
    public EpochEntry? Latest
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count == 0 ? null : _entries[^1];
            }
        }
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/> (called for a
    /// batch whose epoch is new to this log). Nothing changes for <see cref="UndefinedEpoch"/> or for
    /// the latest epoch continuing. An entry the new one contradicts (an epoch at or above it, or a
    /// start offset at or above its start) is removed first, as Kafka does: the log was truncated
    /// or a stale leader's entry is being replaced.
    /// </summary>
    public void Assign(int epoch, long startOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        if (epoch < 0)
        {
            return;
        }

        lock (_sync)
        {
            if (_entries.Count != 0 && _entries[^1].Epoch == epoch && _entries[^1].StartOffset <= startOffset)
            {
                return;
            }

            _entries.RemoveAll(e => e.Epoch >= epoch || e.StartOffset >= startOffset);
            _entries.Add(new EpochEntry(epoch, startOffset));
            Save();
        }
    }

    /// <summary>
    /// Kafka's OffsetForLeaderEpoch answer for <paramref name="requestedEpoch"/>: the largest epoch
    /// of this log at or below it, and the offset where that epoch ended here (the start of the next
    /// higher epoch, or <paramref name="logEndOffset"/> for the latest epoch). A requested epoch below
    /// the first one answers the first epoch's start offset; one above the latest, or any epoch of
    /// an empty cache, is (<see cref="UndefinedEpoch"/>, <see cref="UndefinedOffset"/>).
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        lock (_sync)
        {
            if (requestedEpoch < 0 || _entries.Count == 0)
            {
                return (UndefinedEpoch, UndefinedOffset);
            }

            if (requestedEpoch == _entries[^1].Epoch)
            {
                return (requestedEpoch, logEndOffset);
            }

            var higher = _entries.FindIndex(e => e.Epoch > requestedEpoch);
            if (higher < 0)
            {
                return (UndefinedEpoch, UndefinedOffset);
            }

            return higher == 0
                ? (requestedEpoch, _entries[0].StartOffset)
                : (_entries[higher - 1].Epoch, _entries[higher].StartOffset);
        }
    }

    /// <summary>After the log was truncated to <paramref name="endOffset"/>: forgets the epochs that start at or after it.</summary>
    public void TruncateFromEnd(long endOffset)
    {
        lock (_sync)
        {
            if (_entries.RemoveAll(e => e.StartOffset >= endOffset) > 0)
            {
                Save();
            }
        }
    }

    /// <summary>
    /// After the log start moved to <paramref name="startOffset"/> (retention, DeleteRecords): drops
    /// the epochs that ended before it and moves the start of the one it falls in to it.
    /// </summary>
    public void TruncateFromStart(long startOffset)
    {
        lock (_sync)
        {
            var floor = _entries.FindLastIndex(e => e.StartOffset <= startOffset);
            if (floor < 0 || (floor == 0 && _entries[0].StartOffset == startOffset))
            {
                return;
            }

            var epoch = _entries[floor].Epoch;
            _entries.RemoveRange(0, floor + 1);
            _entries.Insert(0, new EpochEntry(epoch, startOffset));
            Save();
        }
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Version}\n{_entries.Count}\n");
        foreach (var entry in _entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{entry.Epoch} {entry.StartOffset}\n");
        }

        DurableFile.WriteAtomically(_path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The entries of a checkpoint's lines, or null when they are not a valid checkpoint.</summary>
    private static List<EpochEntry>? Parse(string[] lines)
    {
        if (lines.Length < 2
            || lines[0] != Version.ToString(CultureInfo.InvariantCulture)
            || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || lines.Length != count + 2)
        {
            return null;
        }

        var entries = new List<EpochEntry>(count);
        foreach (var line in lines.AsSpan(2))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || (entries.Count != 0 && (epoch <= entries[^1].Epoch || start <= entries[^1].StartOffset)))
            {
                return null;
            }

            entries.Add(new EpochEntry(epoch, start));
        }

        return entries;
    }
}
