namespace Orka.Storage;

/// <summary>
/// Opens the segments of a partition directory and recovers the log: the one place that decides
/// what on disk is trusted and what is cut.
/// </summary>
/// <remarks>
/// Segments wholly below <c>recoverFrom</c> were fsynced before the last checkpoint (or at a clean
/// shutdown) and are trusted: only their index is sanity-checked and rebuilt if it is missing or
/// inconsistent. Every other segment, and always the last one, is read in full: each batch's
/// length, magic, CRC-32C and offsets are checked, the first bad batch and everything after it are
/// cut (the tail of a write that a crash interrupted), and the index is rebuilt from what remains.
/// Reading costs one sequential pass over the unflushed part of the log, ~1 GB/s cold.
/// </remarks>
internal static class LogLoader
{
    public sealed record Result(List<LogSegment> Segments, LogRecoveryReport Report);

    /// <param name="directory">The partition directory (it exists).</param>
    /// <param name="recoverFrom">The recovery point: offsets below it are trusted. 0 trusts nothing.</param>
    /// <param name="initialOffset">Base offset of the first segment when the directory has none.</param>
    /// <param name="indexIntervalBytes">The index density for rebuilt indexes.</param>
    /// <param name="nowMs">The current time, from which an empty segment's age is counted.</param>
    /// <param name="limiter">The node's bound on open handles of closed segments, if any.</param>
    public static Result Load(string directory, long recoverFrom, long initialOffset, int indexIntervalBytes, long nowMs, OpenFileLimiter? limiter)
    {
        SegmentSwap.FinishInterrupted(directory); // before anything reads segments: a half-done compaction swap
        var baseOffsets = SweepAndListSegments(directory);
        if (baseOffsets.Count == 0)
        {
            var segment = LogSegment.Create(directory, initialOffset, nowMs, limiter);
            DurableFile.SyncDirectory(directory);
            return new Result([segment], new LogRecoveryReport(0, 0, 0, 0, 0, initialOffset, null));
        }

        // The first segment to validate is the one holding the recovery point; the last is always validated.
        var firstToRecover = baseOffsets.Count - 1;
        while (firstToRecover > 0 && baseOffsets[firstToRecover] > recoverFrom)
        {
            firstToRecover--;
        }

        var segments = new List<LogSegment>(baseOffsets.Count);
        var recovered = new List<LogSegment>();
        int segmentsChecked = 0, segmentsDeleted = 0, indexesRebuilt = 0;
        long batchesChecked = 0, bytesTruncated = 0;
        string? problem = null;
        try
        {
            for (var i = 0; i < baseOffsets.Count; i++)
            {
                var segment = LogSegment.Open(directory, baseOffsets[i], nowMs, limiter, out var indexesAreUsable);
                var expected = segments.Count > 0 ? segments[^1].NextOffset : baseOffsets[i];

                if (problem is not null)
                {
                    // Everything after a corrupt point is cut: offsets must stay contiguous.
                    bytesTruncated += segment.Size;
                    segment.Delete();
                    segmentsDeleted++;
                    continue;
                }

                if (i < firstToRecover && indexesAreUsable && segment.LoadTrusted())
                {
                    segments.Add(segment);
                    continue;
                }

                var scan = segment.Recover(expected, indexIntervalBytes);
                recovered.Add(segment);
                if (i < firstToRecover)
                {
                    indexesRebuilt++;
                }
                else
                {
                    segmentsChecked++;
                    batchesChecked += scan.Batches;
                }

                bytesTruncated += scan.InvalidBytes;
                problem = scan.Problem is null ? null : $"Segment {LogFileNames.SegmentFile(baseOffsets[i])}: {scan.Problem}";

                // An empty segment that cannot continue the one before it (its base offset lies
                // inside that one's offsets) would put the log end in the past: drop it.
                if (scan.Batches == 0 && segments.Count > 0 && segment.BaseOffset < segments[^1].NextOffset)
                {
                    segment.Delete();
                    segmentsDeleted++;
                    continue;
                }

                segments.Add(segment);
            }

            if (segments.Count == 0)
            {
                segments.Add(LogSegment.Create(directory, initialOffset, nowMs, limiter));
            }

            foreach (var segment in segments.SkipLast(1))
            {
                segment.OnBecomeInactive(); // no-op unless a rebuilt index lacks its closing entry
            }

            // What was validated is now the log; fsync it so the recovery point can move to its end.
            foreach (var segment in recovered.Intersect(segments))
            {
                segment.Flush();
            }

            DurableFile.SyncDirectory(directory);
            foreach (var segment in segments.SkipLast(1))
            {
                segment.ReleaseIndexFiles(); // closed and on disk: lookups use memory from here on
            }
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Close();
            }

            throw;
        }

        var report = new LogRecoveryReport(segmentsChecked, batchesChecked, bytesTruncated, segmentsDeleted, indexesRebuilt, segments[^1].NextOffset, problem);
        return new Result(segments, report);
    }

    /// <summary>
    /// Deletes what an interrupted operation left behind (<c>*.tmp</c>, <c>*.deleted</c>, indexes
    /// without a log) and returns the base offsets of the <c>.log</c> files, ascending.
    /// </summary>
    private static List<long> SweepAndListSegments(string directory)
    {
        var logs = new SortedSet<long>();
        var indexes = new List<(long BaseOffset, string Path)>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogFileNames.TempSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
            }
            else if (LogFileNames.TryParseBaseOffset(name, LogFileNames.LogExtension, out var baseOffset))
            {
                logs.Add(baseOffset);
            }
            else if (LogFileNames.TryParseBaseOffset(name, LogFileNames.IndexExtension, out baseOffset)
                || LogFileNames.TryParseBaseOffset(name, LogFileNames.TimeIndexExtension, out baseOffset))
            {
                indexes.Add((baseOffset, path));
            }
        }

        foreach (var (baseOffset, path) in indexes)
        {
            if (!logs.Contains(baseOffset))
            {
                File.Delete(path);
            }
        }

        return [.. logs];
    }
}
