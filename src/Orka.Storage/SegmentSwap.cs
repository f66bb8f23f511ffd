using static Orka.Records.RecordBatchLayout;

namespace Orka.Storage;

/// <summary>
/// The file steps that replace a group of segments with their cleaned copy so that a crash at any
/// point leaves a log that opens consistently (the order is specified in <c>FORMAT.md</c>,
/// "Compaction"), and the recovery that finishes or rolls back an interrupted swap.
/// </summary>
/// <remarks>
/// <para>In order, for a group whose first segment has base offset B:</para>
/// <list type="number">
/// <item>The cleaner writes <c>B.log.cleaned</c>, <c>B.index.cleaned</c>, <c>B.timeindex.cleaned</c>
/// and fsyncs them and the directory. A crash now: the <c>.cleaned</c> files are deleted at open
/// (rolled back); the old segments are untouched.</item>
/// <item><see cref="Commit"/> renames them to <c>.swap</c>, indexes first and <c>B.log.swap</c>
/// last: that rename is the commit point. A <c>.index.swap</c> or <c>.timeindex.swap</c> without
/// a <c>B.log.swap</c> is deleted at open. The directory is fsynced.</item>
/// <item>The old segments' files are renamed to <c>.deleted</c> (deleted for good once no reader
/// holds them). The directory is fsynced, so that no power loss can keep an old segment that the
/// installed one replaced (the loader would see offsets go backwards and cut the log there).</item>
/// <item><see cref="Install"/> renames the <c>.swap</c> files to their final names, indexes first,
/// the log last.</item>
/// </list>
/// <para>At open (<see cref="FinishInterrupted"/>), each <c>B.log.swap</c> replaces the segments
/// whose base offsets lie in [B, max(B + 1, N)), N being one past its last offset: their files are
/// deleted and the swap is installed (a missing index is rebuilt by the loader). Old segments of
/// the group past N held no record the cleaner kept (every one was superseded by a later record),
/// so keeping them, when the crash came before step 3 removed them, is consistent: they are
/// re-cleaned next time.</para>
/// </remarks>
internal static class SegmentSwap
{
    private static readonly string[] Extensions = [LogFileNames.IndexExtension, LogFileNames.TimeIndexExtension, LogFileNames.LogExtension];

    /// <summary>Step 2: <c>.cleaned</c> to <c>.swap</c>, the log last (the commit point).</summary>
    public static void Commit(string directory, long baseOffset, Action<string>? step = null)
    {
        foreach (var extension in Extensions)
        {
            var name = Name(baseOffset, extension);
            File.Move(Path.Combine(directory, name + LogFileNames.CleanedSuffix), Path.Combine(directory, name + LogFileNames.SwapSuffix), overwrite: true);
            step?.Invoke($"commit {name}");
        }
    }

    /// <summary>Step 4: <c>.swap</c> to the final names, the log last. The old files must be gone (renamed to <c>.deleted</c>).</summary>
    public static void Install(string directory, long baseOffset, Action<string>? step = null)
    {
        foreach (var extension in Extensions)
        {
            var name = Name(baseOffset, extension);
            var swap = Path.Combine(directory, name + LogFileNames.SwapSuffix);
            if (File.Exists(swap))
            {
                File.Move(swap, Path.Combine(directory, name), overwrite: true);
                step?.Invoke($"install {name}");
            }
        }
    }

    /// <summary>Deletes the <c>.cleaned</c> files of an abandoned cleaning.</summary>
    public static void DeleteCleaned(string directory, long baseOffset)
    {
        foreach (var extension in Extensions)
        {
            File.Delete(Path.Combine(directory, Name(baseOffset, extension) + LogFileNames.CleanedSuffix));
        }
    }

    /// <summary>
    /// Rolls back cleanings that had not committed (deletes <c>*.cleaned</c> and index swaps
    /// without a log swap) and finishes those that had. Returns how many swaps it finished.
    /// Called at open, before anything else looks at the segments.
    /// </summary>
    public static int FinishInterrupted(string directory)
    {
        var swaps = new List<long>();
        var strayIndexes = new List<(long BaseOffset, string Path)>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                continue;
            }

            if (!name.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var inner = name[..^LogFileNames.SwapSuffix.Length];
            if (LogFileNames.TryParseBaseOffset(inner, LogFileNames.LogExtension, out var baseOffset))
            {
                swaps.Add(baseOffset);
            }
            else if (LogFileNames.TryParseBaseOffset(inner, LogFileNames.IndexExtension, out baseOffset)
                || LogFileNames.TryParseBaseOffset(inner, LogFileNames.TimeIndexExtension, out baseOffset))
            {
                strayIndexes.Add((baseOffset, path));
            }
            else
            {
                File.Delete(path);
            }
        }

        foreach (var (baseOffset, path) in strayIndexes)
        {
            if (!swaps.Contains(baseOffset))
            {
                File.Delete(path);
            }
        }

        if (swaps.Count == 0)
        {
            return 0;
        }

        var segments = Directory.EnumerateFiles(directory, "*" + LogFileNames.LogExtension)
            .Select(path => LogFileNames.TryParseBaseOffset(Path.GetFileName(path), LogFileNames.LogExtension, out var b) ? b : -1)
            .Where(b => b >= 0)
            .ToList();
        foreach (var baseOffset in swaps)
        {
            var end = Math.Max(baseOffset + 1, NextOffset(Path.Combine(directory, Name(baseOffset, LogFileNames.LogExtension) + LogFileNames.SwapSuffix), baseOffset));
            foreach (var replaced in segments.Where(b => b >= baseOffset && b < end))
            {
                foreach (var extension in Extensions)
                {
                    File.Delete(Path.Combine(directory, Name(replaced, extension)));
                }
            }

            Install(directory, baseOffset);
        }

        DurableFile.SyncDirectory(directory);
        return swaps.Count;
    }

    /// <summary>One past the last offset of the whole batches in a segment file (walking headers only), or <paramref name="baseOffset"/> if it has none.</summary>
    private static long NextOffset(string path, long baseOffset)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        var next = baseOffset;
        Span<byte> bytes = stackalloc byte[HeaderSize];
        for (long position = 0; position + HeaderSize <= length;)
        {
            if (RandomAccess.Read(handle, bytes, position) < HeaderSize)
            {
                break;
            }

            var header = RecordBatchHeader.Read(bytes);
            if (header.BatchLength < MinBatchLength || position + header.SizeInBytes > length)
            {
                break;
            }

            next = header.LastOffset + 1;
            position += header.SizeInBytes;
        }

        return next;
    }

    private static string Name(long baseOffset, string extension) => extension switch
    {
        LogFileNames.LogExtension => LogFileNames.SegmentFile(baseOffset),
        LogFileNames.IndexExtension => LogFileNames.IndexFile(baseOffset),
        _ => LogFileNames.TimeIndexFile(baseOffset),
    };
}
