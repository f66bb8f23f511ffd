namespace Orka.Storage.Tests;

public sealed class RetentionTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch.AddDays(20_000);
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(Start);

    public void Dispose() => _temp.Dispose();

    private LogManager Open() => LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path }, _clock);

    /// <summary>Appends 100 batches of one record, timestamps Start + i seconds, into ~1 KiB segments.</summary>
    private static async Task<PartitionLog> CreateLogAsync(LogManager manager, LogConfig config)
    {
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, config with { SegmentBytes = 1024, IndexIntervalBytes = 100 });
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 40, timestamp: Start.AddSeconds(i).ToUnixTimeMilliseconds()));
        }

        return log;
    }

    private static List<long> BaseOffsets(PartitionLog log) => Directory.GetFiles(log.Directory, "*.log")
        .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();

    [Fact]
    public async Task ApplyRetentionAsync_SomeSegmentsPastRetentionMs_DeletesExactlyThoseFromTheFront()
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = 60_000 });
        await log.FlushAsync(); // let the flushes started by rolls finish: a segment in use is deleted only when released
        var before = BaseOffsets(log);
        _clock.Advance(TimeSpan.FromSeconds(100));

        var deleted = await log.ApplyRetentionAsync();

        // Record i has timestamp Start + i s; now is Start + 100 s; records 0..39 are past 60 s.
        // A segment goes only when its newest record is past, so the one holding record 40 stays.
        var firstKept = before.Last(b => b <= 40);
        Assert.Equal(before.Count(b => b < firstKept), deleted);
        Assert.Equal(firstKept, log.LogStartOffset);
        Assert.Equal(before.Where(b => b >= firstKept), BaseOffsets(log));
        Assert.Empty(Directory.GetFiles(log.Directory, "*.deleted"));
        var e = await Assert.ThrowsAsync<StorageException>(() => log.ReadAsync(firstKept - 1, 100).AsTask());
        Assert.Equal(StorageErrorKind.OffsetOutOfRange, e.Kind);
        Assert.Equal(100 - firstKept, (await TestBatches.ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task ApplyRetentionAsync_EverythingExpired_KeepsTheActiveSegment()
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = 1000 });
        _clock.Advance(TimeSpan.FromDays(1));

        await log.ApplyRetentionAsync();

        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(100, log.LogEndOffset);
        Assert.Equal(BaseOffsets(log).Single(), log.LogStartOffset);
        Assert.Equal(100, (await log.AppendAsync(TestBatches.Make("next"))).FirstOffset);
    }

    [Fact]
    public async Task ApplyRetentionAsync_OverRetentionBytes_DeletesOldestWhileStillOver()
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = -1, RetentionBytes = 3000 });
        var sizes = Directory.GetFiles(log.Directory, "*.log").Order().Select(f => new FileInfo(f).Length).ToList();

        var deleted = await log.ApplyRetentionAsync();

        var expected = 0;
        for (var total = sizes.Sum(); expected < sizes.Count - 1 && total - sizes[expected] >= 3000; expected++)
        {
            total -= sizes[expected];
        }

        Assert.True(expected > 0);
        Assert.Equal(expected, deleted);
        Assert.Equal(sizes.Skip(expected).Sum(), log.SizeInBytes);
    }

    [Fact]
    public async Task ApplyRetentionAsync_RetentionOff_DeletesNothing()
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = -1, RetentionBytes = -1 });
        _clock.Advance(TimeSpan.FromDays(10_000));

        Assert.Equal(0, await log.ApplyRetentionAsync());
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public async Task ApplyRetentionAsync_WhileReadersRead_ReadersSeeWholeBatchesOrOffsetOutOfRange()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, new LogConfig { SegmentBytes = 1024, RetentionMs = -1, RetentionBytes = 2048 });
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
            {
                await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 30));
                if (i % 10 == 0)
                {
                    await log.ApplyRetentionAsync();
                }
            }
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var outOfRange = 0;
            while (!writer.IsCompleted)
            {
                var offset = log.LogStartOffset;
                try
                {
                    var fetch = await log.ReadAsync(offset, 700);
                    TestBatches.AssertWholeBatches(fetch.Batches);
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.OffsetOutOfRange)
                {
                    outOfRange++; // retention moved the start between our two reads
                }
            }

            return outOfRange;
        })).ToList();

        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        await log.FlushAsync();
        Assert.True(log.LogStartOffset > 0);
        Assert.Empty(Directory.GetFiles(log.Directory, "*.deleted"));
    }

    [Fact]
    public async Task DeleteRecordsAsync_MidLog_MovesStartDeletesSegmentsBelowAndSurvivesACrash()
    {
        await using (var manager = Open())
        {
            var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = -1 });
            var before = BaseOffsets(log);

            Assert.Equal(55, await log.DeleteRecordsAsync(55));

            Assert.Equal(55, log.LogStartOffset);
            Assert.Equal(before.Where(b => b >= before.Last(x => x <= 55)), BaseOffsets(log));
            var e = await Assert.ThrowsAsync<StorageException>(() => log.ReadAsync(54, 100).AsTask());
            Assert.Equal(StorageErrorKind.OffsetOutOfRange, e.Kind);
            var header = TestBatches.AssertWholeBatches((await log.ReadAsync(55, 1)).Batches).Single();
            Assert.Equal(55, header.BaseOffset);
        }

        File.Delete(Path.Combine(_temp.Path, ".clean-shutdown"));
        File.Delete(Path.Combine(_temp.Path, "recovery-point-offset-checkpoint"));

        await using var reopened = Open();
        var again = await reopened.GetOrCreateLogAsync("t", 0, TopicId, LogConfig.Default);
        Assert.Equal(55, again.LogStartOffset);
    }

    [Fact]
    public async Task DeleteRecordsAsync_AtLogEnd_EmptiesTheLogButAppendsContinue()
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = -1 });

        await log.DeleteRecordsAsync(100);

        Assert.Equal((100L, 100L), (log.LogStartOffset, log.LogEndOffset));
        Assert.True((await log.ReadAsync(100, 100)).Batches.IsEmpty);
        Assert.Equal(100, (await log.AppendAsync(TestBatches.Make("x"))).FirstOffset);
    }

    [Fact]
    public async Task DeleteRecordsAsync_BelowStart_ChangesNothing()
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = -1 });
        await log.DeleteRecordsAsync(30);

        Assert.Equal(30, await log.DeleteRecordsAsync(10));
        Assert.Equal(30, log.LogStartOffset);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(101L)]
    public async Task DeleteRecordsAsync_OutsideLog_ThrowsOffsetOutOfRange(long offset)
    {
        await using var manager = Open();
        var log = await CreateLogAsync(manager, new LogConfig { RetentionMs = -1 });

        var e = await Assert.ThrowsAsync<StorageException>(() => log.DeleteRecordsAsync(offset).AsTask());

        Assert.Equal(StorageErrorKind.OffsetOutOfRange, e.Kind);
        Assert.Equal(0, log.LogStartOffset);
    }
}
