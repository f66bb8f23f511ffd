namespace Orka.Storage.Tests;

public sealed class FlushPolicyTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UnixEpoch.AddDays(20_000));

    public void Dispose() => _temp.Dispose();

    private LogManager Open(TimeSpan? flushCheckInterval = null, TimeProvider? time = null) => LogManager.Open(
        new LogManagerOptions { DataDirectory = _temp.Path, FlushCheckInterval = flushCheckInterval ?? Timeout.InfiniteTimeSpan },
        time ?? _clock);

    [Fact]
    public async Task AppendAsync_FlushMessagesReached_FlushesBeforeReturning()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { FlushMessages = 3 });

        await log.AppendAsync(TestBatches.Make("a", count: 2));
        Assert.Equal(0, log.RecoveryPoint);

        await log.AppendAsync(TestBatches.Make("b", count: 1));
        Assert.Equal(3, log.RecoveryPoint);
    }

    [Fact]
    public async Task AppendAsync_FlushMessagesOne_EveryAppendIsFlushed()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { FlushMessages = 1 });

        for (var i = 0; i < 5; i++)
        {
            var info = await log.AppendAsync(TestBatches.Make($"r{i}"));
            Assert.Equal(info.LastOffset + 1, log.RecoveryPoint);
        }
    }

    [Fact]
    public async Task FlushDueLogsAsync_FlushMsElapsedSinceLastFlush_Flushes()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { FlushMs = 1000 });
        await log.AppendAsync(TestBatches.Make("a"));

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        await manager.FlushDueLogsAsync();
        Assert.Equal(0, log.RecoveryPoint);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await manager.FlushDueLogsAsync();
        Assert.Equal(1, log.RecoveryPoint);
    }

    // Intent: FlushToAsync fsyncs (it does not just wait) up to the given end offset.
    [Fact]
    public async Task FlushToAsync_UnflushedAppend_RecoveryPointCoversIt()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        var info = await log.AppendAsync(TestBatches.Make("a", count: 4));
        Assert.Equal(0, log.RecoveryPoint);

        await log.FlushToAsync(info.LastOffset + 1).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(info.LastOffset + 1, log.RecoveryPoint);
    }

    // Intent: an end offset past the log end means the log end; the call completes instead of waiting for offsets that never come.
    [Fact]
    public async Task FlushToAsync_PastLogEnd_FlushesToLogEndAndCompletes()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        await log.AppendAsync(TestBatches.Make("a", count: 3));

        await log.FlushToAsync(1_000).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, log.RecoveryPoint);
    }

    [Fact]
    public async Task WaitForFlushAsync_OffsetNotYetFlushed_CompletesWhenAFlushCoversIt()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        var info = await log.AppendAsync(TestBatches.Make("a", count: 4));

        var wait = log.WaitForFlushAsync(info.LastOffset).AsTask();
        Assert.False(wait.IsCompleted);

        await log.FlushAsync();
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.RecoveryPoint > info.LastOffset);
    }

    [Fact]
    public async Task WaitForFlushAsync_AlreadyFlushed_CompletesAtOnce()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        await log.AppendAsync(TestBatches.Make("a"));
        await log.FlushAsync();

        Assert.True(log.WaitForFlushAsync(0).IsCompleted);
    }

    [Fact]
    public async Task WaitForFlushAsync_LogClosedFirst_ThrowsObjectDisposed()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        await log.AppendAsync(TestBatches.Make("a"));
        var wait = log.WaitForFlushAsync(5).AsTask(); // beyond the log end: no flush will ever cover it

        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task FlushSchedule_FlushMsZero_FlushesInTheBackground()
    {
        await using var manager = Open(flushCheckInterval: TimeSpan.FromMilliseconds(10), time: TimeProvider.System);
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { FlushMs = 0 });

        var info = await log.AppendAsync(TestBatches.Make("a", count: 3));

        await log.WaitForFlushAsync(info.LastOffset).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
