namespace Orka.Storage.Tests;

public sealed class OpenFileLimitTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReadAsync_ManyClosedSegments_OpenHandlesStayWithinTheLimit()
    {
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path, MaxOpenSegmentFiles = 3 });
        var log = await manager.GetOrCreateLogAsync("t", 0, Guid.NewGuid(), new LogConfig { SegmentBytes = 1024 });
        for (var i = 0; i < 200; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 60));
        }

        await log.FlushAsync();
        Assert.True(log.SegmentCount > 10);

        for (var pass = 0; pass < 2; pass++)
        {
            Assert.Equal(200, (await TestBatches.ReadAllAsync(log, maxBytes: 100)).Count);
            Assert.InRange(manager.OpenSegmentFiles, 0, 3);
            if (OperatingSystem.IsLinux())
            {
                // At most 3 .log handles, the active segment's included; index files hold none at rest.
                var open = OpenFilesUnder(log.Directory);
                Assert.InRange(open.Count(f => f.EndsWith(".log", StringComparison.Ordinal)), 1, 3);
                Assert.Equal(0, open.Count(f => f.EndsWith("index", StringComparison.Ordinal)));
            }
        }
    }

    [Fact]
    public async Task GetOrCreateLogAsync_ManyPartitionLogsWithSmallBudget_AllAppendableAndReadableWithinBudget()
    {
        const int Budget = 16;
        const int Partitions = 300;
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path, MaxOpenSegmentFiles = Budget });
        var topicId = Guid.NewGuid();
        var logs = new List<PartitionLog>();
        for (var p = 0; p < Partitions; p++)
        {
            var log = await manager.GetOrCreateLogAsync("many", p, topicId, new LogConfig());
            await log.AppendAsync(TestBatches.Make($"p{p}a"));
            logs.Add(log);
            AssertWithinBudget();
        }

        // Every log, evicted or not, takes a second append and reads both records back.
        for (var p = 0; p < Partitions; p++)
        {
            await logs[p].AppendAsync(TestBatches.Make($"p{p}b"));
        }

        // One at a time: handles in use are never evicted, so 300 concurrent flushes could hold more
        // than the budget for a moment (the documented overshoot); in turn, the bound is exact.
        foreach (var log in logs)
        {
            await log.FlushAsync();
        }

        AssertWithinBudget();
        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal([$"p{p}a-0", $"p{p}b-0"], (await TestBatches.ReadAllAsync(logs[p])).Select(TestBatches.ValueOf));
            AssertWithinBudget();
        }

        Assert.InRange(manager.PeakOpenSegmentFiles, 1, Budget);
        Assert.Equal(Partitions, manager.ListLogs().Count);

        void AssertWithinBudget()
        {
            Assert.InRange(manager.OpenSegmentFiles, 0, Budget);
            if (OperatingSystem.IsLinux())
            {
                // What the kernel says, not the engine's own counter: partition files open under the data directory.
                var open = OpenFilesUnder(_temp.Path).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToList();
                Assert.True(open.Count <= Budget, $"{open.Count} files open under the data directory, budget {Budget}: {string.Join(", ", open.Take(5))}");
            }
        }
    }

    [Fact]
    public async Task AppendAsync_ActiveSegmentHandleEvicted_ReopensAndAppendsAtTheEnd()
    {
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path, MaxOpenSegmentFiles = 1 });
        var a = await manager.GetOrCreateLogAsync("a", 0, Guid.NewGuid(), new LogConfig());
        var b = await manager.GetOrCreateLogAsync("b", 0, Guid.NewGuid(), new LogConfig());
        for (var i = 0; i < 20; i++)
        {
            await a.AppendAsync(TestBatches.Make($"a{i}", valueSize: 100)); // each takes the one handle from the other log
            await b.AppendAsync(TestBatches.Make($"b{i}", valueSize: 100));
            Assert.Equal(1, manager.OpenSegmentFiles);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"a{i}-0"), (await TestBatches.ReadAllAsync(a)).Select(TestBatches.ValueOf));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"b{i}-0"), (await TestBatches.ReadAllAsync(b)).Select(TestBatches.ValueOf));
    }

    [Fact]
    public async Task ReadAsync_ConcurrentReadersOverManySegments_AllReadsSucceedWithATinyLimit()
    {
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path, MaxOpenSegmentFiles = 1 });
        var log = await manager.GetOrCreateLogAsync("t", 0, Guid.NewGuid(), new LogConfig { SegmentBytes = 512 });
        for (var i = 0; i < 150; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 40));
        }

        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            for (var i = 0; i < 300; i++)
            {
                var fetch = await log.ReadAsync(random.Next(0, 150), 200);
                Assert.NotEmpty(TestBatches.AssertWholeBatches(fetch.Batches));
            }
        }));

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ReadAsync_EvictedSegmentFileRemovedBehindOurBack_ThrowsIo()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // needs /proc to know the handle was really closed
        }

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path, MaxOpenSegmentFiles = 1 });
        var log = await manager.GetOrCreateLogAsync("t", 0, Guid.NewGuid(), new LogConfig { SegmentBytes = 512 });
        for (var i = 0; i < 40; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 40));
        }

        await log.FlushAsync();
        var first = Path.Combine(log.Directory, "00000000000000000000.log");
        for (var attempt = 0; attempt < 10 && OpenFilesUnder(log.Directory).Contains(first); attempt++)
        {
            await TestBatches.ReadAllAsync(log, maxBytes: 1); // touches the later segments, which evicts the first
        }

        Assert.DoesNotContain(first, OpenFilesUnder(log.Directory));
        File.Delete(first);

        var e = await Assert.ThrowsAsync<StorageException>(() => log.ReadAsync(0, 100).AsTask());
        Assert.Equal(StorageErrorKind.Io, e.Kind);
    }

    /// <summary>The files under <paramref name="directory"/> this process has open, from /proc/self/fd.</summary>
    private static List<string> OpenFilesUnder(string directory)
    {
        var files = new List<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(directory, StringComparison.Ordinal))
                {
                    files.Add(target);
                }
            }
            catch (IOException)
            {
                // the descriptor closed while we looked
            }
        }

        return files;
    }
}
