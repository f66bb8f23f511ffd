using System.Globalization;

namespace Orka.Storage.Tests;

/// <summary>
/// A crash during a segment roll. The roll's own steps (close the active segment, create the new
/// <c>.log</c>, <c>.index</c>, <c>.timeindex</c>, publish it) are snapshotted as a process crash
/// leaves them, through the log's roll hook; what a power loss can add (the new segment's bytes on
/// disk but not the old segment's tail, a torn first batch, index files never written) is made by
/// hand. Every case reopens with no acknowledged record lost, a report that says what was done,
/// and appends continuing at the right offset.
/// </summary>
public sealed class SegmentRollCrashTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 1024, IndexIntervalBytes = 100 };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>No background schedule runs, so nothing but the test moves the files (and no checkpoint is written: a crash trusts nothing).</summary>
    private static LogManager Open(string directory) => LogManager.Open(new LogManagerOptions
    {
        DataDirectory = directory,
        FlushCheckInterval = Timeout.InfiniteTimeSpan,
        RetentionCheckInterval = Timeout.InfiniteTimeSpan,
        CompactionCheckInterval = Timeout.InfiniteTimeSpan,
        CheckpointInterval = Timeout.InfiniteTimeSpan,
    });

    [Fact]
    public async Task Roll_CrashAtEachStep_ReopensWithNothingLostAndAppendsContinue()
    {
        var data = _temp.Combine("data");
        var snapshots = new List<(string Step, string Directory, long LogEndOffset, int Batches)>();
        var values = new List<string>();
        await using (var manager = Open(data))
        {
            var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);
            var batches = 0;
            for (; log.SegmentCount < 3; batches++)
            {
                await log.AppendAsync(TestBatches.Make($"b{batches}", valueSize: 60));
                values.Add($"b{batches}-0");
            }

            // Append until the next roll, snapshotting the directory at each of its steps.
            var segmentsBefore = log.SegmentCount;
            var endBefore = log.LogEndOffset;
            var batchesBefore = batches;
            log.RollStepHook = step => snapshots.Add((step, Snapshot(data, snapshots.Count), endBefore, batchesBefore));
            while (log.SegmentCount == segmentsBefore)
            {
                endBefore = log.LogEndOffset;
                batchesBefore = batches;
                await log.AppendAsync(TestBatches.Make($"b{batches}", valueSize: 60));
                values.Add($"b{batches}-0");
                batches++;
            }

            log.RollStepHook = null;
            snapshots.Add(("first batch written", Snapshot(data, snapshots.Count), log.LogEndOffset, batches));
        }

        Assert.Equal(["closed", "log created", "index created", "timeindex created", "published", "first batch written"], snapshots.Select(s => s.Step));
        foreach (var (step, directory, logEndOffset, batches) in snapshots)
        {
            var partition = Path.Combine(directory, "orders-0");
            var segmentFiles = Directory.GetFiles(partition, "*.log").Length;
            await using (var manager = Open(directory))
            {
                var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

                Assert.False(manager.WasCleanShutdown, step);
                var report = log.LastRecovery;
                Assert.True(report.Problem is null, $"crash at '{step}': {report.Problem}");
                Assert.True((0L, 0) == (report.BytesTruncated, report.SegmentsDeleted), $"crash at '{step}': {report}");
                Assert.True(segmentFiles == report.SegmentsChecked, $"crash at '{step}': {segmentFiles} segments, {report}");
                Assert.True(batches == report.BatchesChecked, $"crash at '{step}': {batches} batches, {report}");
                Assert.True(logEndOffset == log.LogEndOffset && logEndOffset == report.LogEndOffset, $"crash at '{step}': log end {log.LogEndOffset}, {report}");
                Assert.Equal(values.Take((int)logEndOffset), (await TestBatches.ReadAllAsync(log)).Select(TestBatches.ValueOf));
                foreach (var file in Directory.GetFiles(partition, "*.log"))
                {
                    Assert.True(File.Exists(Path.ChangeExtension(file, ".index")) && File.Exists(Path.ChangeExtension(file, ".timeindex")), $"indexes of {Path.GetFileName(file)} after a crash at '{step}'");
                }

                Assert.True(logEndOffset == (await log.AppendAsync(TestBatches.Make("after", valueSize: 60))).FirstOffset, $"first offset after a crash at '{step}'");
            }

            // The append after recovery survives a clean restart, next to everything before it.
            await using (var manager = Open(directory))
            {
                var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);
                Assert.True(manager.WasCleanShutdown);
                Assert.Equal(values.Take((int)logEndOffset).Append("after-0"), (await TestBatches.ReadAllAsync(log)).Select(TestBatches.ValueOf));
            }
        }
    }

    // Intent: a power loss can keep the new segment's first bytes but tear them.
    [Fact]
    public async Task Roll_NewSegmentsFirstBatchTorn_TruncatedToEmptyAndAppendsReuseItsOffset()
    {
        var (data, values) = await WriteThenCrashAsync();
        var newest = Segments(data)[^1];
        var cut = TestBatches.BatchLengthAt(await File.ReadAllBytesAsync(newest.Log), 0) / 2;
        File.Delete(newest.Index);
        File.Delete(newest.TimeIndex);
        using (var file = File.OpenWrite(newest.Log))
        {
            file.SetLength(cut);
        }

        await using var manager = Open(data);
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.Equal(cut, log.LastRecovery.BytesTruncated);
        Assert.NotNull(log.LastRecovery.Problem);
        Assert.Equal(newest.BaseOffset, log.LogEndOffset);
        Assert.Equal(values.Take((int)newest.BaseOffset), (await TestBatches.ReadAllAsync(log)).Select(TestBatches.ValueOf));
        Assert.Equal(newest.BaseOffset, (await log.AppendAsync(TestBatches.Make("after"))).FirstOffset);
        Assert.True(File.Exists(newest.Index) && File.Exists(newest.TimeIndex));
    }

    // Intent: the new segment's data reached the disk but its index files did not (created, never flushed).
    [Fact]
    public async Task Roll_NewSegmentWithDataButNoIndexFiles_IndexesRebuiltAndLookupsWork()
    {
        var (data, values) = await WriteThenCrashAsync();
        var newest = Segments(data)[^1];
        File.Delete(newest.Index);
        File.Delete(newest.TimeIndex);

        await using var manager = Open(data);
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.Null(log.LastRecovery.Problem);
        Assert.Equal((0L, 0), (log.LastRecovery.BytesTruncated, log.LastRecovery.SegmentsDeleted));
        Assert.Equal(values.Count, log.LogEndOffset);
        Assert.True(new FileInfo(newest.Index).Length > 0, "the new segment's offset index was rebuilt");
        Assert.True(new FileInfo(newest.TimeIndex).Length > 0, "the new segment's time index was rebuilt");
        Assert.Equal(values, (await TestBatches.ReadAllAsync(log, maxBytes: 1)).Select(TestBatches.ValueOf));
        Assert.Equal(values.Count - 1, await log.OffsetForTimestampAsync(Timestamp(values.Count - 1)));
    }

    // Intent: write-back reached the new segment but not the old one's last batch: the old tail is cut and the new segment goes.
    [Fact]
    public async Task Roll_OldSegmentsTailLostButNewSegmentWritten_CutsTheOldTailAndDeletesTheNewSegment()
    {
        var (data, values) = await WriteThenCrashAsync();
        var segments = Segments(data);
        var old = segments[^2];
        var newest = segments[^1];
        var oldBytes = await File.ReadAllBytesAsync(old.Log);
        var lastBatchStart = 0;
        for (var at = 0; at < oldBytes.Length; at += TestBatches.BatchLengthAt(oldBytes, at))
        {
            lastBatchStart = at;
        }

        var cut = lastBatchStart + 20;
        var newestLength = new FileInfo(newest.Log).Length;
        using (var file = File.OpenWrite(old.Log))
        {
            file.SetLength(cut);
        }

        await using var manager = Open(data);
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        var lost = newest.BaseOffset - 1; // the old segment's last batch (one record)
        Assert.Equal(lost, log.LogEndOffset);
        Assert.Equal(1, log.LastRecovery.SegmentsDeleted);
        Assert.Equal(20 + newestLength, log.LastRecovery.BytesTruncated);
        Assert.False(File.Exists(newest.Log));
        Assert.False(File.Exists(newest.Index));
        Assert.Equal(values.Take((int)lost), (await TestBatches.ReadAllAsync(log)).Select(TestBatches.ValueOf));
        Assert.Equal(lost, (await log.AppendAsync(TestBatches.Make("after", valueSize: 60))).FirstOffset);
    }

    // Intent: the old segment's index files were never written (entries are written at flush), yet every lookup into it works after recovery.
    [Fact]
    public async Task Roll_OldSegmentsIndexFilesEmpty_RebuiltWithItsLargestTimestamp()
    {
        var (data, values) = await WriteThenCrashAsync();
        var old = Segments(data)[^2];
        File.WriteAllBytes(old.Index, []);
        File.WriteAllBytes(old.TimeIndex, []);

        await using var manager = Open(data);
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.Null(log.LastRecovery.Problem);
        Assert.Equal(values.Count, log.LogEndOffset);
        Assert.True(new FileInfo(old.Index).Length > 0, "offset index rebuilt");
        var lastOfOld = Segments(data)[^1].BaseOffset - 1;
        Assert.Equal(lastOfOld, await log.OffsetForTimestampAsync(Timestamp(lastOfOld)));
        Assert.Equal(values, (await TestBatches.ReadAllAsync(log, maxBytes: 1)).Select(TestBatches.ValueOf));
    }

    /// <summary>Writes one-record batches (timestamp = their index) until there are 3 segments and the third holds 2 batches; then leaves as a crash does.</summary>
    private async Task<(string Data, List<string> Values)> WriteThenCrashAsync()
    {
        var data = _temp.Combine("data");
        var values = new List<string>();
        await using (var manager = Open(data))
        {
            var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);
            while (log.SegmentCount < 3 || log.LogEndOffset < Segments(data)[^1].BaseOffset + 2)
            {
                var i = values.Count;
                await log.AppendAsync(TestBatches.Make($"b{i}", valueSize: 60, timestamp: Timestamp(i)));
                values.Add($"b{i}-0");
            }
        }

        File.Delete(Path.Combine(data, ".clean-shutdown"));
        File.Delete(Path.Combine(data, "recovery-point-offset-checkpoint"));
        return (data, values);
    }

    private static long Timestamp(long index) => 1_700_000_000_000 + index * 1000;

    private static List<(long BaseOffset, string Log, string Index, string TimeIndex)> Segments(string data)
        => Directory.GetFiles(Path.Combine(data, "orders-0"), "*.log").Order(StringComparer.Ordinal)
            .Select(log => (long.Parse(Path.GetFileNameWithoutExtension(log), CultureInfo.InvariantCulture), log, Path.ChangeExtension(log, ".index"), Path.ChangeExtension(log, ".timeindex")))
            .ToList();

    /// <summary>A copy of the data directory as a process crash would leave it (no clean-shutdown marker; the lock is not data).</summary>
    private string Snapshot(string data, int index)
    {
        var copy = _temp.Combine($"crash-{index}");
        Copy(data, copy);
        File.Delete(Path.Combine(copy, ".clean-shutdown"));
        return copy;

        static void Copy(string source, string destination)
        {
            Directory.CreateDirectory(destination);
            foreach (var file in Directory.GetFiles(source).Where(f => Path.GetFileName(f) != ".lock"))
            {
                File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
            }

            foreach (var directory in Directory.GetDirectories(source))
            {
                Copy(directory, Path.Combine(destination, Path.GetFileName(directory)));
            }
        }
    }
}
