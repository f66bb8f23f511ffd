namespace Orka.Storage.Tests;

public sealed class LogManagerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private LogManager Open(string? directory = null)
        => LogManager.Open(new LogManagerOptions { DataDirectory = directory ?? _temp.Path });

    [Fact]
    public async Task Open_MissingDirectory_CreatesIt()
    {
        var directory = _temp.Combine("a", "b", "data");

        await using var manager = Open(directory);

        Assert.True(Directory.Exists(directory));
        Assert.Equal(directory, manager.DataDirectory);
    }

    [Fact]
    public void Open_PathUnderRegularFile_ThrowsIoWithThePath()
    {
        var file = _temp.Combine("not-a-directory");
        File.WriteAllText(file, "x");

        var e = Assert.Throws<StorageException>(() => Open(Path.Combine(file, "data")));

        Assert.Equal(StorageErrorKind.Io, e.Kind);
        Assert.Contains(Path.Combine(file, "data"), e.Message);
    }

    [Fact]
    public async Task Open_DirectoryAlreadyOpen_ThrowsIo()
    {
        await using var first = Open();

        var e = Assert.Throws<StorageException>(() => Open());

        Assert.Equal(StorageErrorKind.Io, e.Kind);
    }

    [Fact]
    public async Task GetOrCreateLogAsync_SameTopicIdAfterReopen_KeepsData()
    {
        var topicId = Guid.NewGuid();
        await using (var manager = Open())
        {
            var log = await manager.GetOrCreateLogAsync("orders", 3, topicId, LogConfig.Default);
            await log.AppendAsync(TestBatches.Make("kept", 2));
        }

        await using var reopened = Open();
        var again = await reopened.GetOrCreateLogAsync("orders", 3, topicId, LogConfig.Default);

        Assert.Equal(2, again.LogEndOffset);
        Assert.Equal(topicId, again.TopicId);
    }

    [Fact]
    public async Task GetOrCreateLogAsync_CalledTwice_ReturnsTheSameOpenLogWithNewConfig()
    {
        await using var manager = Open();
        var topicId = Guid.NewGuid();
        var first = await manager.GetOrCreateLogAsync("orders", 0, topicId, LogConfig.Default);

        var second = await manager.GetOrCreateLogAsync("orders", 0, topicId, new LogConfig { SegmentBytes = 4096 });

        Assert.Same(first, second);
        Assert.Equal(4096, second.Config.SegmentBytes);
    }

    [Fact]
    public async Task GetOrCreateLogAsync_ManyConcurrentCallsForTheSamePartition_OpenItOnce()
    {
        await using var manager = Open();
        var topicId = Guid.NewGuid();

        var logs = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => manager.GetOrCreateLogAsync("orders", 0, topicId, LogConfig.Default).AsTask())));

        Assert.All(logs, log => Assert.Same(logs[0], log));
    }

    [Fact]
    public async Task GetOrCreateLogAsync_ConcurrentCallsForManyPartitions_OpenEachWithItsData()
    {
        var topicId = Guid.NewGuid();
        await using (var manager = Open())
        {
            foreach (var partition in Enumerable.Range(0, 8))
            {
                var log = await manager.GetOrCreateLogAsync("orders", partition, topicId, LogConfig.Default);
                await log.AppendAsync(TestBatches.Make($"p{partition}", count: partition + 1));
            }
        }

        await using var reopened = Open();
        var logs = await Task.WhenAll(Enumerable.Range(0, 8).Select(p => reopened.GetOrCreateLogAsync("orders", p, topicId, LogConfig.Default).AsTask()));

        Assert.Equal(Enumerable.Range(1, 8).Select(n => (long)n), logs.Select(l => l.LogEndOffset));
    }

    [Fact]
    public async Task GetOrCreateLogAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var manager = Open();
        await manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);

        await manager.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default).AsTask());
    }

    [Fact]
    public async Task GetOrCreateLogAsync_WhileItsOwnerClosesIt_ReturnsAFreshOpenLog()
    {
        await using var manager = Open();
        var topicId = Guid.NewGuid();
        var log = await manager.GetOrCreateLogAsync("orders", 0, topicId, LogConfig.Default);
        await log.AppendAsync(TestBatches.Make("kept"));

        var closing = log.DisposeAsync().AsTask();
        var again = await manager.GetOrCreateLogAsync("orders", 0, topicId, LogConfig.Default);
        await closing.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotSame(log, again);
        Assert.False(again.IsClosed);
        Assert.Equal(1, again.LogEndOffset);
        Assert.Equal(1, (await again.AppendAsync(TestBatches.Make("next"))).FirstOffset);
    }

    [Fact]
    public async Task GetOrCreateLogAsync_DifferentTopicIdOnDisk_DeletesStaleDirectory()
    {
        await using (var manager = Open())
        {
            var old = await manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);
            await old.AppendAsync(TestBatches.Make("stale", 5));
        }

        await using var reopened = Open();
        var fresh = await reopened.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);

        Assert.Equal((0L, 0L), (fresh.LogEndOffset, fresh.SizeInBytes));
        Assert.Equal(0, (await fresh.AppendAsync(TestBatches.Make("new"))).FirstOffset);
        Assert.Empty(Directory.GetDirectories(_temp.Path, "*.deleted"));
    }

    [Fact]
    public async Task GetOrCreateLogAsync_DifferentTopicIdWhileOpen_ReplacesTheOpenLog()
    {
        await using var manager = Open();
        var old = await manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);
        await old.AppendAsync(TestBatches.Make("stale", 5));

        var fresh = await manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);

        Assert.NotSame(old, fresh);
        Assert.Equal(0, fresh.LogEndOffset);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => old.ReadAsync(0, 100).AsTask());
    }

    public static TheoryData<string> InvalidTopics() =>
    [
        "", ".", "..", "a/b", "../escape", "a\\b", "with space", "ümlaut", "tab\t", "nul\0", "/abs", new string('x', 250),
    ];

    [Theory]
    [MemberData(nameof(InvalidTopics))]
    public async Task GetOrCreateLogAsync_InvalidTopicName_ThrowsInvalidNameWithoutTouchingDisk(string topic)
    {
        // The data directory sits one level down, so a name that escaped it would show up beside it.
        await using var manager = Open(_temp.Combine("data"));
        var before = Directory.GetFileSystemEntries(_temp.Path, "*", SearchOption.AllDirectories).Order().ToList();

        var e = await Assert.ThrowsAsync<StorageException>(() => manager.GetOrCreateLogAsync(topic, 0, Guid.NewGuid(), LogConfig.Default).AsTask());

        Assert.Equal(StorageErrorKind.InvalidName, e.Kind);
        Assert.Equal(before, Directory.GetFileSystemEntries(_temp.Path, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public async Task GetOrCreateLogAsync_NegativePartition_ThrowsInvalidName()
    {
        await using var manager = Open();

        var e = await Assert.ThrowsAsync<StorageException>(() => manager.GetOrCreateLogAsync("orders", -1, Guid.NewGuid(), LogConfig.Default).AsTask());

        Assert.Equal(StorageErrorKind.InvalidName, e.Kind);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Orders.v2_final-1")]
    [InlineData("...")]
    public async Task GetOrCreateLogAsync_LegalUnusualTopicName_Works(string topic)
    {
        await using var manager = Open();

        var log = await manager.GetOrCreateLogAsync(topic, 12, Guid.NewGuid(), LogConfig.Default);

        Assert.Equal(Path.Combine(_temp.Path, $"{topic}-12"), log.Directory);
        Assert.Contains((topic, 12), manager.ListLogs());
    }

    [Fact]
    public async Task GetOrCreateLogAsync_LongestLegalTopicName_Works()
    {
        await using var manager = Open();
        var topic = new string('t', 249);

        var log = await manager.GetOrCreateLogAsync(topic, 0, Guid.NewGuid(), LogConfig.Default);

        Assert.Equal(topic, log.Topic);
    }

    [Fact]
    public async Task ListLogs_SeveralPartitionsAndForeignEntries_ListsOnlyPartitions()
    {
        await using var manager = Open();
        var topicId = Guid.NewGuid();
        await manager.GetOrCreateLogAsync("orders", 1, topicId, LogConfig.Default);
        await manager.GetOrCreateLogAsync("orders", 0, topicId, LogConfig.Default);
        await manager.GetOrCreateLogAsync("my-topic", 10, Guid.NewGuid(), LogConfig.Default);
        Directory.CreateDirectory(_temp.Combine("not a log"));
        Directory.CreateDirectory(_temp.Combine("orders-07"));

        Assert.Equal([("my-topic", 10), ("orders", 0), ("orders", 1)], manager.ListLogs());
    }

    [Fact]
    public async Task DeleteLogAsync_OpenLog_ClosesAndRemovesIt()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);
        await log.AppendAsync(TestBatches.Make("gone"));

        await manager.DeleteLogAsync("orders", 0);

        Assert.Empty(manager.ListLogs());
        Assert.False(Directory.Exists(log.Directory));
        Assert.Empty(Directory.GetDirectories(_temp.Path));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync(TestBatches.Make("x")).AsTask());
    }

    [Fact]
    public async Task DeleteLogAsync_UnknownLog_DoesNothing()
    {
        await using var manager = Open();

        await manager.DeleteLogAsync("never", 0);

        Assert.Empty(manager.ListLogs());
    }

    [Fact]
    public async Task Open_LeftoverDeletedDirectory_IsSwept()
    {
        Directory.CreateDirectory(_temp.Combine("orders-0.0123456789abcdef0123456789abcdef.deleted", "sub"));

        await using var manager = Open();

        Assert.Empty(Directory.GetDirectories(_temp.Path));
    }

    [Fact]
    public async Task DisposeAsync_WritesCheckpointAndCleanShutdownMarker()
    {
        var topicId = Guid.NewGuid();
        await using (var manager = Open())
        {
            var log = await manager.GetOrCreateLogAsync("orders", 2, topicId, LogConfig.Default);
            await log.AppendAsync(TestBatches.Make("x", 7));
            Assert.False(manager.WasCleanShutdown);
        }

        Assert.True(File.Exists(_temp.Combine(".clean-shutdown")));
        Assert.Equal(["0", "1", "orders 2 7"], File.ReadAllLines(_temp.Combine("recovery-point-offset-checkpoint")));
        await using var reopened = Open();
        Assert.True(reopened.WasCleanShutdown);
        Assert.False(File.Exists(_temp.Combine(".clean-shutdown")));
    }

    [Fact]
    public async Task CheckpointAsync_AfterFlush_RecordsTheRecoveryPoint()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), LogConfig.Default);
        await log.AppendAsync(TestBatches.Make("x", 3));
        await log.FlushAsync();
        await log.AppendAsync(TestBatches.Make("y", 2));

        await manager.CheckpointAsync();

        Assert.Equal(["0", "1", "orders 0 3"], File.ReadAllLines(_temp.Combine("recovery-point-offset-checkpoint")));
    }

    [Fact]
    public async Task GetOrCreateLogAsync_InvalidConfig_ThrowsArgumentException()
    {
        await using var manager = Open();

        await Assert.ThrowsAsync<ArgumentException>(() => manager.GetOrCreateLogAsync("orders", 0, Guid.NewGuid(), new LogConfig { SegmentBytes = 1L << 32 }).AsTask());
    }
}
