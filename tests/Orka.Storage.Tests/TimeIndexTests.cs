namespace Orka.Storage.Tests;

public sealed class TimeIndexTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 2048, IndexIntervalBytes = 150 };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private LogManager Open(TimeProvider? time = null) => LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path }, time);

    [Fact]
    public async Task OffsetForTimestampAsync_IncreasingTimestamps_MatchesBruteForce()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, SmallSegments);
        var timestamps = Enumerable.Range(0, 600).Select(i => 1_000_000L + i * 10).ToList();
        await AppendAsync(log, timestamps);

        await AssertMatchesBruteForceAsync(log, timestamps);
    }

    [Fact]
    public async Task OffsetForTimestampAsync_UnorderedTimestamps_MatchesBruteForceAlsoAfterReopen()
    {
        var random = new Random(7);
        var timestamps = Enumerable.Range(0, 600).Select(i => 1_000_000L + i * 5 + random.Next(-400, 400)).ToList();
        await using (var manager = Open())
        {
            var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, SmallSegments);
            await AppendAsync(log, timestamps);
            Assert.True(log.SegmentCount > 3);
            await AssertMatchesBruteForceAsync(log, timestamps);
        }

        await using var reopened = Open();
        var again = await reopened.GetOrCreateLogAsync("t", 0, TopicId, SmallSegments);
        Assert.Equal(0, again.LastRecovery.IndexesRebuilt);
        await AssertMatchesBruteForceAsync(again, timestamps);
    }

    [Fact]
    public async Task OffsetForTimestampAsync_TimeIndexesDeleted_AreRebuiltAndAnswerTheSame()
    {
        var timestamps = Enumerable.Range(0, 400).Select(i => 5_000L + i * 3).ToList();
        await using (var manager = Open())
        {
            var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, SmallSegments);
            await AppendAsync(log, timestamps);
        }

        var timeIndexes = Directory.GetFiles(_temp.Combine("t-0"), "*.timeindex");
        foreach (var file in timeIndexes)
        {
            File.Delete(file);
        }

        await using var reopened = Open();
        var again = await reopened.GetOrCreateLogAsync("t", 0, TopicId, SmallSegments);
        Assert.Equal(timeIndexes.Length - 1, again.LastRecovery.IndexesRebuilt); // the last segment is recovered anyway
        Assert.Equal(timeIndexes.Length, Directory.GetFiles(_temp.Combine("t-0"), "*.timeindex").Length);
        await AssertMatchesBruteForceAsync(again, timestamps);
    }

    [Fact]
    public async Task OffsetForTimestampAsync_EmptyLogOrLaterThanEverything_ReturnsNull()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        Assert.Null(await log.OffsetForTimestampAsync(0));

        await AppendAsync(log, [10, 20, 30]);

        Assert.Null(await log.OffsetForTimestampAsync(31));
        Assert.Equal(0, await log.OffsetForTimestampAsync(long.MinValue));
    }

    [Fact]
    public async Task OffsetForTimestampAsync_LateRecordOnlyBelowLogStart_LooksInLaterBatches()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        var builder = new RecordBatchBuilder();
        builder.Append(100, default, "a"u8, keyIsNull: true);
        builder.Append(50, default, "b"u8, keyIsNull: true);
        await log.AppendAsync(builder.Build());
        await AppendAsync(log, [60]);
        await log.DeleteRecordsAsync(1); // offset 0, the only one at time 100, is gone

        Assert.Null(await log.OffsetForTimestampAsync(100));
        Assert.Equal(2, await log.OffsetForTimestampAsync(55));
        Assert.Equal(1, await log.OffsetForTimestampAsync(10));
    }

    [Fact]
    public async Task AppendAsync_BatchOlderThanSegmentMsInRecordTime_RollsASegment()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { SegmentMs = 1000 });

        await log.AppendAsync(TestBatches.Make("a", timestamp: 10_000));
        await log.AppendAsync(TestBatches.Make("b", timestamp: 11_000));
        Assert.Equal(1, log.SegmentCount);

        await log.AppendAsync(TestBatches.Make("c", timestamp: 11_001));

        Assert.Equal(2, log.SegmentCount);
        Assert.True(File.Exists(Path.Combine(log.Directory, "00000000000000000002.log")));
    }

    [Fact]
    public async Task AppendAsync_NoTimestampsAndClockPastSegmentMs_RollsASegment()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1000));
        await using var manager = Open(clock);
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { SegmentMs = 60_000 });
        await log.AppendAsync(TestBatches.Make("a", timestamp: -1));

        clock.Advance(TimeSpan.FromSeconds(59));
        await log.AppendAsync(TestBatches.Make("b", timestamp: -1));
        Assert.Equal(1, log.SegmentCount);

        clock.Advance(TimeSpan.FromSeconds(2));
        await log.AppendAsync(TestBatches.Make("c", timestamp: -1));
        Assert.Equal(2, log.SegmentCount);
    }

    /// <summary>Appends batches of 1-3 records with the given timestamps, in order.</summary>
    private static async Task AppendAsync(PartitionLog log, IReadOnlyList<long> timestamps)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < timestamps.Count;)
        {
            builder.Reset();
            var count = Math.Min(1 + i % 3, timestamps.Count - i);
            for (var j = 0; j < count; j++, i++)
            {
                builder.Append(timestamps[i], default, new byte[20], keyIsNull: true);
            }

            await log.AppendAsync(builder.Build());
        }
    }

    private static async Task AssertMatchesBruteForceAsync(PartitionLog log, IReadOnlyList<long> timestamps)
    {
        var probes = timestamps.Concat(timestamps.Select(t => t + 1)).Concat(timestamps.Select(t => t - 1))
            .Append(timestamps.Min() - 100).Append(timestamps.Max() + 100).Distinct();
        foreach (var probe in probes)
        {
            var expected = timestamps.Select((t, offset) => (t, offset)).FirstOrDefault(x => x.t >= probe, (0, -1)).Item2;
            var actual = await log.OffsetForTimestampAsync(probe);
            Assert.True((expected < 0 ? null : (long?)expected) == actual, $"timestamp {probe}: expected {expected}, got {actual}");
        }
    }
}
