using System.Globalization;
using System.Text;

namespace Orka.Storage.Tests;

public sealed class CompactionTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch.AddDays(20_000);
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(Start);

    /// <summary>Compacted, rolls a new segment for every batch (batch timestamps 10 ms apart), cleans whenever anything is dirty.</summary>
    private static readonly LogConfig Compacted = new()
    {
        CleanupPolicy = CleanupPolicy.Compact,
        SegmentBytes = 4096,
        SegmentMs = 1,
        IndexIntervalBytes = 64,
        MinCleanableDirtyRatio = 0,
        DeleteRetentionMs = 1_000_000_000_000,
    };

    private long _timestamp = Start.ToUnixTimeMilliseconds();
    private RecordBatchCompression _compression = RecordBatchCompression.None;

    public void Dispose() => _temp.Dispose();

    private LogManager Open(string? directory = null) => LogManager.Open(
        new LogManagerOptions { DataDirectory = directory ?? _temp.Path, CompactionCheckInterval = Timeout.InfiniteTimeSpan, RetentionCheckInterval = Timeout.InfiniteTimeSpan },
        _clock);

    /// <summary>One batch of keyed records (null key or value as given), a new timestamp per batch.</summary>
    private byte[] Batch(params (string? Key, string? Value)[] records)
    {
        _timestamp += 10;
        var builder = new RecordBatchBuilder(_compression);
        foreach (var (key, value) in records)
        {
            builder.Append(_timestamp, Bytes(key), Bytes(value), keyIsNull: key is null, valueIsNull: value is null);
        }

        return builder.Build();
    }

    private static byte[] Bytes(string? s) => s is null ? [] : Encoding.UTF8.GetBytes(s);

    private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;

    /// <summary>Every record from the log start, moving from batch to batch by the batches' last offsets (compacted batches may end in a gap).</summary>
    private static async Task<List<Record>> ReadAllAsync(PartitionLog log)
    {
        var records = new List<Record>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var fetch = await log.ReadAsync(offset, 4096);
            var headers = TestBatches.AssertWholeBatches(fetch.Batches);
            Assert.NotEmpty(headers);
            records.AddRange(RecordBatchReader.ReadRecords(fetch.Batches).Where(r => r.Offset >= offset));
            offset = headers[^1].LastOffset + 1;
        }

        return records;
    }

    /// <summary>The value a reader of the whole log ends with for each key (null = its latest record is a tombstone).</summary>
    private static Dictionary<string, string?> LatestPerKey(IEnumerable<Record> records)
    {
        var latest = new Dictionary<string, string?>();
        foreach (var record in records.Where(r => r.Key is not null))
        {
            latest[Text(record.Key)!] = Text(record.Value);
        }

        return latest;
    }

    private static List<long> BaseOffsets(string directory) => Directory.GetFiles(directory, "*.log")
        .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture)).Order().ToList();

    /// <summary>Checks what every reader of a compacted log may rely on, against what was appended at each offset.</summary>
    private static void AssertConsistent(List<Record> records, Dictionary<long, (string? Key, string? Value)> appended, long? cleanedBelow)
    {
        for (var i = 1; i < records.Count; i++)
        {
            Assert.True(records[i].Offset > records[i - 1].Offset, $"offset {records[i].Offset} follows {records[i - 1].Offset}");
        }

        foreach (var record in records)
        {
            Assert.Equal(appended[record.Offset], (Text(record.Key), Text(record.Value)));
        }

        if (cleanedBelow is not { } activeBase)
        {
            return;
        }

        // Right after a cleaning, the closed segments hold one record per key and none without a key.
        var closed = records.Where(r => r.Offset < activeBase).ToList();
        Assert.DoesNotContain(closed, r => r.Key is null);
        Assert.Equal(closed.Count, closed.Select(r => Text(r.Key)).Distinct().Count());
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(5, false, RecordBatchCompression.Zstd)]
    [InlineData(6, true, RecordBatchCompression.Snappy)]
    [InlineData(7, true, RecordBatchCompression.Lz4)]
    [InlineData(8, false, RecordBatchCompression.Gzip)]
    public async Task CompactAsync_RandomKeysOverManyRounds_MatchesADictionaryModel(int seed, bool tombstonesExpire, RecordBatchCompression compression = RecordBatchCompression.None)
    {
        _compression = compression;
        var random = new Random(seed);
        var config = Compacted with { DeleteRetentionMs = tombstonesExpire ? 20_000 : Compacted.DeleteRetentionMs };
        var model = new Dictionary<string, string?>();
        var appended = new Dictionary<long, (string? Key, string? Value)>();
        var manager = Open();
        try
        {
            var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, config);
            for (var round = 0; round < 40; round++)
            {
                for (var b = random.Next(1, 6); b > 0; b--)
                {
                    var records = Enumerable.Range(0, random.Next(1, 8)).Select(i => (
                        Key: random.Next(10) == 0 ? null : $"k{random.Next(25)}",
                        Value: random.Next(6) == 0 ? null : $"v{round}-{b}-{i}")).ToArray();
                    var endBefore = log.LogEndOffset;
                    var info = await log.AppendAsync(Batch(records));
                    Assert.Equal(endBefore, info.FirstOffset); // offsets are never reused
                    for (var i = 0; i < records.Length; i++)
                    {
                        appended[info.FirstOffset + i] = records[i];
                        if (records[i].Key is { } key)
                        {
                            model[key] = records[i].Value;
                        }
                    }
                }

                _clock.Advance(TimeSpan.FromSeconds(random.Next(0, 8)));
                var compacted = round % 3 != 2;
                if (compacted)
                {
                    await manager.CompactAsync();
                }

                if (round % 10 == 9)
                {
                    await manager.DisposeAsync(); // compacted segments must survive a reopen
                    manager = Open();
                    log = await manager.GetOrCreateLogAsync("t", 0, TopicId, config);
                }

                var read = await ReadAllAsync(log);
                AssertConsistent(read, appended, compacted ? BaseOffsets(log.Directory).Max() : null);
                var latest = LatestPerKey(read);
                if (tombstonesExpire)
                {
                    Assert.Equal(model.Where(e => e.Value is not null).ToDictionary(), latest.Where(e => e.Value is not null).ToDictionary());
                }
                else
                {
                    Assert.Equal(model, latest);
                }
            }

            Assert.True(log.SegmentCount < appended.Count / 4, $"{log.SegmentCount} segments left: compaction should merge small ones");
            var batches = TestBatches.AssertWholeBatches((await log.ReadAsync(log.LogStartOffset, int.MaxValue)).Batches);
            Assert.All(batches, h => Assert.Equal(compression, h.Compression)); // rewritten batches keep the producer's codec
        }
        finally
        {
            await manager.DisposeAsync();
        }
    }

    [Fact]
    public async Task CompactAsync_WithDuplicatesInTheActiveSegment_LeavesItsFileUntouched()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted with { SegmentMs = Compacted.DeleteRetentionMs });
        await log.AppendAsync(Batch(("a", "1"), ("a", "2"), (null, "x"), ("b", "1")));
        var activePath = Path.Combine(log.Directory, LogFileNames.SegmentFile(0));
        await log.FlushAsync();
        var before = await File.ReadAllBytesAsync(activePath);

        var rewritten = await log.CompactAsync();

        Assert.Equal(0, rewritten);
        Assert.Equal(before, await File.ReadAllBytesAsync(activePath));
        Assert.Equal(["1", "2", "x", "1"], (await ReadAllAsync(log)).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task CompactAsync_ClosedAndActiveSegments_RewritesOnlyTheClosedOnes()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        await log.AppendAsync(Batch(("a", "1"), (null, "dropped")));
        await log.AppendAsync(Batch(("a", "2"), ("b", "1")));
        await log.AppendAsync(Batch(("a", "3"), ("a", "4"), (null, "active")));
        var activeBase = BaseOffsets(log.Directory).Max();
        await log.FlushAsync();
        var activeBefore = await File.ReadAllBytesAsync(Path.Combine(log.Directory, LogFileNames.SegmentFile(activeBase)));

        var rewritten = await log.CompactAsync();

        Assert.Equal(2, rewritten);
        var records = await ReadAllAsync(log);
        Assert.Equal([(2L, "a", "2"), (3L, "b", "1"), (4L, "a", "3"), (5L, "a", "4"), (6L, null, "active")],
            records.Select(r => (r.Offset, Text(r.Key), Text(r.Value))));
        Assert.Equal(activeBefore, await File.ReadAllBytesAsync(Path.Combine(log.Directory, LogFileNames.SegmentFile(activeBase))));
        Assert.Equal(7, (await log.AppendAsync(Batch(("c", "1")))).FirstOffset);
        Assert.Empty(Directory.GetFiles(log.Directory, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(log.Directory, "*.swap"));
    }

    [Fact]
    public async Task CompactAsync_RewrittenBatch_KeepsOffsetsTimestampsHeadersAndAValidCrc()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        var builder = new RecordBatchBuilder();
        builder.Append(1000, Bytes("a"), Bytes("old"));
        builder.Append(1005, Bytes("b"), Bytes("kept"), [new RecordHeader("h", Bytes("hv"))]);
        builder.Append(1003, Bytes("a"), Bytes("new"));
        builder.Append(1001, Bytes("c"), Bytes("superseded"));
        await log.AppendAsync(builder.Build());
        await log.AppendAsync(Batch(("c", "later")));
        await log.AppendAsync(Batch(("z", "active")));

        await log.CompactAsync();

        var fetch = await log.ReadAsync(0, 1 << 20);
        var header = TestBatches.AssertWholeBatches(fetch.Batches)[0]; // validates the CRC
        Assert.Equal((0L, 3, 2), (header.BaseOffset, header.LastOffsetDelta, header.RecordCount));
        var records = RecordBatchReader.ReadRecords(fetch.Batches).Take(2).ToList();
        Assert.Equal([(1L, 1005L, "kept"), (2L, 1003L, "new")], records.Select(r => (r.Offset, r.Timestamp, Text(r.Value))));
        Assert.Equal("hv", Text(records[0].Headers.Single().Value));
    }

    [Fact]
    public async Task CompactAsync_Tombstone_KeptForDeleteRetentionMsAfterCleaningThenDropped()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted with { DeleteRetentionMs = 60_000 });
        await log.AppendAsync(Batch(("a", "1"), ("b", "1")));
        var tombstone = await log.AppendAsync(Batch(("a", null)));
        await log.AppendAsync(Batch(("c", "1")));

        await log.CompactAsync(); // stamps the horizon: now + 60 s
        var afterFirst = await ReadAllAsync(log);
        Assert.Contains(afterFirst, r => r.Offset == tombstone.FirstOffset && r.Value is null);
        var fetch = await log.ReadAsync(tombstone.FirstOffset, 1);
        var header = TestBatches.AssertWholeBatches(fetch.Batches)[0];
        Assert.True(header.HasDeleteHorizon);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds() + 60_000, header.BaseTimestamp);
        Assert.Equal(tombstone.MaxTimestamp, RecordBatchReader.ReadRecords(fetch.Batches).Single().Timestamp);

        _clock.Advance(TimeSpan.FromSeconds(59));
        await log.AppendAsync(Batch(("d", "1"))); // new dirty data, so that the cleaner runs again
        await log.CompactAsync();
        Assert.Contains(await ReadAllAsync(log), r => r.Offset == tombstone.FirstOffset);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await log.AppendAsync(Batch(("e", "1")));
        await log.CompactAsync();
        var records = await ReadAllAsync(log);
        Assert.DoesNotContain(records, r => Text(r.Key) == "a");
        Assert.Equal(["b", "c", "d", "e"], records.Select(r => Text(r.Key)));
    }

    [Fact]
    public async Task CompactAsync_DirtyRatioBelowMinimum_DoesNothing()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted with { MinCleanableDirtyRatio = 0.5 });
        for (var i = 0; i < 6; i++)
        {
            await log.AppendAsync(Batch(($"k{i}", "1"), ($"k{i}", "2")));
        }

        Assert.Equal(5, await log.CompactAsync()); // everything is dirty after an open
        await log.AppendAsync(Batch(("k0", "3")));

        Assert.Equal(0, await log.CompactAsync()); // one small dirty segment against five clean ones
        Assert.Equal(0, await manager.CompactAsync());
    }

    [Fact]
    public async Task CompactionSchedule_DirtyCompactedLog_IsCleanedInTheBackground()
    {
        await using var manager = LogManager.Open(
            new LogManagerOptions { DataDirectory = _temp.Path, CompactionCheckInterval = TimeSpan.FromMilliseconds(10) }, TimeProvider.System);
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        using var swapped = new SemaphoreSlim(0);
        log.CompactionStepHook = step =>
        {
            if (step == "synced")
            {
                swapped.Release();
            }
        };

        await log.AppendAsync(Batch(("a", "1")));
        await log.AppendAsync(Batch(("a", "2")));
        await log.AppendAsync(Batch(("b", "1")));

        // A swap may come between the appends and see only part of them; the next one cleans the rest.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<string?> values;
        do
        {
            Assert.True(await swapped.WaitAsync(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks))), "awaited a swap by the compaction schedule that leaves a=2, b=1");
            values = (await ReadAllAsync(log)).Select(r => Text(r.Value)).ToList();
        }
        while (values.Count != 2);

        Assert.Equal(["2", "1"], values);
    }

    [Fact]
    public async Task CompactAsync_DeleteRecordsBeforeTheSwap_AbandonsTheGroupAndCleansOnTheNextRun()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        for (var i = 0; i < 6; i++)
        {
            await log.AppendAsync(Batch(("a", $"{i}"), ($"k{i}", "x")));
        }

        Task<long>? deleteRecords = null;
        log.CompactionStepHook = step =>
        {
            if (step == "cleaned" && deleteRecords is null)
            {
                // Takes the append lock before the swap does: the group it cleaned loses its first segments.
                deleteRecords = log.DeleteRecordsAsync(4).AsTask();
            }
        };

        Assert.Equal(0, await log.CompactAsync());
        Assert.Equal(4, await deleteRecords!);
        Assert.Empty(Directory.GetFiles(log.Directory, "*.cleaned"));
        Assert.Equal([(4L, "2"), (5L, "x"), (6L, "3"), (7L, "x"), (8L, "4"), (9L, "x"), (10L, "5"), (11L, "x")],
            (await ReadAllAsync(log)).Select(r => (r.Offset, Text(r.Value)!)));

        Assert.True(await log.CompactAsync() > 0); // still dirty: cleaned now
        Assert.Equal([(5L, "x"), (7L, "x"), (8L, "4"), (9L, "x"), (10L, "5"), (11L, "x")],
            (await ReadAllAsync(log)).Select(r => (r.Offset, Text(r.Value)!)));
    }

    [Fact]
    public async Task CompactAsync_GzipBatches_CopiesAWhollyKeptOneAndRecompressesAPartlyKeptOne()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        await log.AppendAsync(Gzip(Batch(("a", "1"), ("b", "1"))));
        await log.AppendAsync(Gzip(Batch(("c", "1"), ("d", "1"))));
        await log.AppendAsync(Batch(("a", "2")));
        await log.AppendAsync(Batch(("z", "active")));

        await log.CompactAsync();

        var fetch = await log.ReadAsync(0, 1 << 20);
        var headers = TestBatches.AssertWholeBatches(fetch.Batches);
        Assert.Equal([RecordBatchCompression.Gzip, RecordBatchCompression.Gzip, RecordBatchCompression.None], headers.Select(h => h.Compression));
        Assert.Equal([1, 2, 1], headers.Select(h => h.RecordCount)); // the first lost "a"; the second is the producer's batch
        Assert.Equal(["b", "c", "d", "a"], RecordBatchReader.ReadRecords(fetch.Batches).Select(r => Text(r.Key)));
    }

    [Fact]
    public async Task CompactAsync_CorruptCompressedPayload_FailsClearlyAndLeavesTheLogUntouched()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        _compression = RecordBatchCompression.Zstd;
        await log.AppendAsync(Batch(("a", "1")));
        var bad = Batch(("b", "1"), ("c", "1"));
        Array.Fill(bad, (byte)0x5A, 61, bad.Length - 61); // the CRC vouches for what the producer sent, not that it decodes
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bad.AsSpan(17), Crc32C.Compute(bad.AsSpan(21)));
        await log.AppendAsync(bad);
        await log.AppendAsync(Batch(("a", "2")));
        await log.AppendAsync(Batch(("z", "active")));
        await log.FlushAsync();
        var before = Directory.GetFiles(log.Directory).Order().ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        var e = await Assert.ThrowsAsync<StorageException>(async () => await log.CompactAsync());

        Assert.Equal(StorageErrorKind.CorruptRecord, e.Kind);
        Assert.Contains("offset 1", e.Message);
        Assert.Contains("Zstd", e.Message);
        var after = Directory.GetFiles(log.Directory).Order().ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(before, file => Assert.Equal(file.Value, after[file.Key]));
        var fetch = await log.ReadAsync(1, 1 << 20);
        Assert.Equal(bad.AsSpan(8).ToArray(), fetch.Batches[..bad.Length].ToArray().AsSpan(8).ToArray()); // served as stored (offset stamped)
    }

    /// <summary>The same batch with its records gzip-compressed.</summary>
    private static byte[] Gzip(byte[] plain)
    {
        var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain.AsSpan(61));
        }

        var batch = plain.AsSpan(0, 61).ToArray().Concat(compressed.ToArray()).ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), batch.Length - 12);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), (short)RecordBatchCompression.Gzip);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));
        return batch;
    }

    [Fact]
    public async Task CompactAsync_DeletePolicy_DoesNothing()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted with { CleanupPolicy = CleanupPolicy.Delete });
        await log.AppendAsync(Batch(("a", "1")));
        await log.AppendAsync(Batch(("a", "2")));

        Assert.Equal(0, await log.CompactAsync());
        Assert.Equal(2, (await ReadAllAsync(log)).Count);
    }

    [Theory]
    [InlineData(CleanupPolicy.Compact, 0)]
    [InlineData(CleanupPolicy.Compact | CleanupPolicy.Delete, 2)]
    public async Task ApplyRetentionAsync_CompactedLog_AppliesRetentionOnlyWithDelete(CleanupPolicy policy, int expectedDeleted)
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted with { CleanupPolicy = policy, RetentionMs = 1000 });
        await log.AppendAsync(Batch(("a", "1")));
        await log.AppendAsync(Batch(("b", "1")));
        await log.AppendAsync(Batch(("c", "1")));
        await log.FlushAsync();
        _clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(expectedDeleted, await log.ApplyRetentionAsync());
    }

    [Fact]
    public async Task CompactAsync_ConcurrentReadsAndAppends_ReadersSeeValidBatchesThroughout()
    {
        await using var manager = Open();
        var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
        for (var i = 0; i < 200; i++)
        {
            await log.AppendAsync(Batch(($"k{i % 13}", $"v{i}"), ($"k{i % 7}", i % 5 == 0 ? null : $"w{i}")));
        }

        var done = new CancellationTokenSource();
        var reads = 0;
        async Task ReadLoopAsync()
        {
            while (!done.IsCancellationRequested)
            {
                var records = await ReadAllAsync(log); // asserts whole, CRC-valid batches and progress
                Assert.NotEmpty(records);
                Interlocked.Increment(ref reads);
            }
        }

        async Task AppendAndCompactAsync()
        {
            try
            {
                for (var round = 0; round < 10; round++)
                {
                    for (var i = 0; i < 20; i++)
                    {
                        await log.AppendAsync(Batch(($"k{i % 13}", $"r{round}-{i}")));
                    }

                    Assert.True(await log.CompactAsync() > 0);
                }

                // Let the readers finish at least one pass over the compacted log.
                var target = Volatile.Read(ref reads) + 2;
                while (Volatile.Read(ref reads) < target)
                {
                    await Task.Yield();
                }
            }
            finally
            {
                await done.CancelAsync();
            }
        }

        await Task.WhenAll(ReadLoopAsync(), ReadLoopAsync(), AppendAndCompactAsync()).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task CompactAsync_CrashAtEachStepOfTheSwap_ReopensConsistentWithNothingLost()
    {
        var appended = new Dictionary<long, (string? Key, string? Value)>();
        var snapshots = new List<(string Step, string Directory)>();
        Dictionary<string, string?> expected;
        long logEndOffset;
        await using (var manager = Open())
        {
            var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
            var random = new Random(7);
            for (var i = 0; i < 30; i++)
            {
                var records = Enumerable.Range(0, 3).Select(r => (Key: random.Next(8) == 0 ? null : $"k{random.Next(6)}", Value: random.Next(5) == 0 ? null : $"v{i}-{r}")).ToArray();
                var info = await log.AppendAsync(Batch(records));
                for (var r = 0; r < records.Length; r++)
                {
                    appended[info.FirstOffset + r] = records[r];
                }
            }

            await log.FlushAsync();
            expected = LatestPerKey(await ReadAllAsync(log));
            logEndOffset = log.LogEndOffset;
            log.CompactionStepHook = step =>
            {
                var copy = _temp.Combine("crash", snapshots.Count.ToString(CultureInfo.InvariantCulture));
                CopyDirectory(_temp.Path, copy);
                snapshots.Add((step, copy));
            };

            Assert.True(await log.CompactAsync() > 1);
            log.CompactionStepHook = null;
            Assert.Equal(expected, LatestPerKey(await ReadAllAsync(log)));
        }

        var steps = snapshots.Select(s => s.Step.Split(' ')[0]).Distinct().ToList();
        Assert.Equal(["cleaned", "commit", "delete", "install", "synced"], steps);
        foreach (var (step, directory) in snapshots)
        {
            await using var manager = Open(directory);
            var log = await manager.GetOrCreateLogAsync("t", 0, TopicId, Compacted);
            var records = await ReadAllAsync(log);
            Assert.True(logEndOffset == log.LogEndOffset, $"log end offset after a crash at '{step}'");
            AssertConsistentAfterCrash(records, appended, step);
            Assert.True(expected.Count == LatestPerKey(records).Count && !expected.Except(LatestPerKey(records)).Any(), $"latest values after a crash at '{step}'");
            var partition = log.Directory;
            Assert.Empty(Directory.GetFiles(partition, "*.cleaned"));
            Assert.Empty(Directory.GetFiles(partition, "*.swap"));
            Assert.Equal(logEndOffset, (await log.AppendAsync(Batch(("after", "crash")))).FirstOffset);
            Assert.True(await log.CompactAsync() > 0, $"compacting again after a crash at '{step}'");
            Assert.Equal(expected.Append(new KeyValuePair<string, string?>("after", "crash")).ToDictionary(), LatestPerKey(await ReadAllAsync(log)));
        }
    }

    private static void AssertConsistentAfterCrash(List<Record> records, Dictionary<long, (string? Key, string? Value)> appended, string step)
    {
        for (var i = 1; i < records.Count; i++)
        {
            Assert.True(records[i].Offset > records[i - 1].Offset, $"offsets increase after a crash at '{step}'");
        }

        foreach (var record in records)
        {
            Assert.True(appended[record.Offset] == (Text(record.Key), Text(record.Value)), $"record {record.Offset} after a crash at '{step}'");
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source).Where(f => Path.GetFileName(f) != ".lock")) // held, and not data
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(source).Where(d => Path.GetFileName(d) != "crash"))
        {
            CopyDirectory(directory, Path.Combine(destination, Path.GetFileName(directory)));
        }
    }
}
