namespace Orka.Storage.Tests;

/// <summary>A data directory on a real, tiny file system that fills up, then gets space back.</summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly SmallFileSystem _disk = new(sizeKiB: 2048);

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task AppendAsync_DiskFullThenSpaceFreed_FailsRetriablyThenResumesWithoutReopening()
    {
        var data = Path.Combine(_disk.Path, "data");
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = data, FlushCheckInterval = Timeout.InfiniteTimeSpan });
        var log = await manager.GetOrCreateLogAsync("t", 0, Guid.NewGuid(), new LogConfig { SegmentBytes = 256 * 1024 });
        var acknowledged = new List<(long Offset, string Value)>();
        for (var i = 0; i < 20; i++)
        {
            var info = await log.AppendAsync(TestBatches.Make($"before{i}", valueSize: 3000));
            acknowledged.Add((info.FirstOffset, $"before{i}-0"));
        }

        // 1. Fill the disk: appends fail with NoSpace, naming the data directory, and write nothing.
        var filler = _disk.Fill();
        var endBefore = log.LogEndOffset;
        StorageException? full = null;
        for (var i = 0; i < 50 && full is null; i++)
        {
            try
            {
                var info = await log.AppendAsync(TestBatches.Make($"filling{i}", valueSize: 3000));
                acknowledged.Add((info.FirstOffset, $"filling{i}-0")); // the last pages of the disk may still take a few
                endBefore = log.LogEndOffset;
            }
            catch (StorageException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Equal(StorageErrorKind.NoSpace, full.Kind);
        Assert.Contains($"No space left on device on {data}", full.Message, StringComparison.Ordinal);
        Assert.Equal(endBefore, log.LogEndOffset);
        Assert.Equal(log.SizeInBytes, Directory.GetFiles(log.Directory, "*.log").Sum(f => new FileInfo(f).Length));
        Assert.Equal(["t-0"], manager.Space.PartitionsOutOfSpace);
        Assert.NotNull(manager.Space.OutOfSpaceSince);
        Assert.True(manager.Space.Recheck(), "the condition stays on while the disk is full");

        // 2. Still full: the next append fails the same way (the log did not turn unusable).
        var again = await Assert.ThrowsAsync<StorageException>(() => log.AppendAsync(TestBatches.Make("again", valueSize: 3000)).AsTask());
        Assert.Equal(StorageErrorKind.NoSpace, again.Kind);

        // 3. Free space: the same log object takes appends again, and the condition ends.
        File.Delete(filler);
        for (var i = 0; i < 5; i++)
        {
            var info = await log.AppendAsync(TestBatches.Make($"after{i}", valueSize: 3000));
            acknowledged.Add((info.FirstOffset, $"after{i}-0"));
        }

        await log.FlushAsync();
        Assert.Empty(manager.Space.PartitionsOutOfSpace);
        Assert.Null(manager.Space.OutOfSpaceSince);

        // 4. Every acknowledged record is there, at its offset, with no gap, before and after a reopen.
        AssertHolds(acknowledged, await TestBatches.ReadAllAsync(log));
        await manager.DisposeAsync();
        await using var reopened = LogManager.Open(new LogManagerOptions { DataDirectory = data });
        var log2 = await reopened.GetOrCreateLogAsync("t", 0, log.TopicId, log.Config);
        Assert.Equal(0, log2.LastRecovery.BytesTruncated);
        AssertHolds(acknowledged, await TestBatches.ReadAllAsync(log2));
    }

    [Fact]
    public async Task Recheck_SpaceFreedWithoutAnyAppend_EndsTheCondition()
    {
        var data = Path.Combine(_disk.Path, "data");
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = data, FlushCheckInterval = Timeout.InfiniteTimeSpan });
        var log = await manager.GetOrCreateLogAsync("t", 3, Guid.NewGuid(), new LogConfig());
        var filler = _disk.Fill();
        await Assert.ThrowsAsync<StorageException>(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 3000));
            }
        });
        Assert.Equal(["t-3"], manager.Space.PartitionsOutOfSpace);

        File.Delete(filler);

        Assert.False(manager.Space.Recheck(), "the check finds the space and ends the condition");
        Assert.Empty(manager.Space.PartitionsOutOfSpace);
    }

    private static void AssertHolds(List<(long Offset, string Value)> acknowledged, List<Record> records)
    {
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset));
        var byOffset = records.ToDictionary(r => r.Offset, TestBatches.ValueOf);
        foreach (var (offset, value) in acknowledged)
        {
            Assert.Equal(value, byOffset[offset]);
        }
    }
}
