using System.Buffers.Binary;

namespace Orka.Storage.Tests;

public sealed class PartitionLogTests : IAsyncLifetime
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private readonly TempDirectory _temp = new();
    private LogManager _manager = null!;

    public Task InitializeAsync()
    {
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        _temp.Dispose();
    }

    private ValueTask<PartitionLog> CreateLogAsync(LogConfig? config = null)
        => _manager.GetOrCreateLogAsync("orders", 0, TopicId, config ?? LogConfig.Default);

    // Intent: the buffer-filling read returns the same whole batches as ReadAsync, across segments.
    [Fact]
    public async Task ReadIntoAsync_EveryOffset_SameBytesAsReadAsync()
    {
        var log = await CreateLogAsync(LogConfig.Default with { SegmentBytes = 600 });
        for (var i = 0; i < 12; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", count: 2, valueSize: 40));
        }

        var buffer = new byte[700];
        for (var offset = 0L; offset < log.LogEndOffset; offset++)
        {
            var expected = await log.ReadAsync(offset, buffer.Length);
            var read = await log.ReadIntoAsync(offset, buffer);
            Assert.True(read.BytesRead > 0, $"offset {offset}");
            Assert.Equal(expected.Batches.ToArray(), buffer.AsSpan(0, read.BytesRead).ToArray());
            Assert.Equal((expected.LogStartOffset, expected.LogEndOffset), (read.LogStartOffset, read.LogEndOffset));
        }

        var atEnd = await log.ReadIntoAsync(log.LogEndOffset, buffer);
        Assert.Equal(0, atEnd.BytesRead);
        await Assert.ThrowsAsync<StorageException>(async () => await log.ReadIntoAsync(log.LogEndOffset + 1, buffer));
    }

    // Intent: a buffer smaller than the first batch gets nothing, and the size it would need.
    [Fact]
    public async Task ReadIntoAsync_BufferSmallerThanBatch_ReturnsRequiredSize()
    {
        var log = await CreateLogAsync();
        var batch = TestBatches.Make("big", count: 3, valueSize: 500);
        await log.AppendAsync(batch);

        var small = await log.ReadIntoAsync(0, new byte[100]);
        Assert.Equal((0, batch.Length), (small.BytesRead, small.RequiredBytes));

        var exact = new byte[batch.Length];
        Assert.Equal(batch.Length, (await log.ReadIntoAsync(0, exact)).BytesRead);
        TestBatches.AssertWholeBatches(exact);
    }

    [Fact]
    public async Task AppendAsync_TwoBatches_AssignsConsecutiveOffsetsFromLogEnd()
    {
        var log = await CreateLogAsync();

        var first = await log.AppendAsync(TestBatches.Make("a", count: 3));
        var second = await log.AppendAsync(TestBatches.Make("b", count: 2));

        Assert.Equal((0L, 2L, 3), (first.FirstOffset, first.LastOffset, first.RecordCount));
        Assert.Equal((3L, 4L, 2), (second.FirstOffset, second.LastOffset, second.RecordCount));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public async Task AppendAsync_SeveralBatchesInOneCall_AppendsAllAndLeavesCallerBufferAlone()
    {
        var log = await CreateLogAsync();
        await log.AppendAsync(TestBatches.Make("x"));
        var batches = TestBatches.Make("a", 2).Concat(TestBatches.Make("b", 3)).ToArray();
        var original = (byte[])batches.Clone();

        var info = await log.AppendAsync(batches);

        Assert.Equal((1L, 5L, 5, batches.Length), (info.FirstOffset, info.LastOffset, info.RecordCount, info.SizeInBytes));
        Assert.Equal(original, batches);
        var records = await TestBatches.ReadAllAsync(log);
        Assert.Equal(["x-0", "a-0", "a-1", "b-0", "b-1", "b-2"], records.Select(TestBatches.ValueOf));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), records.Select(r => r.Offset));
    }

    // Intent: one append of more batches than one gathered write (pwritev) can take at once (IOV_MAX is 1024 on Linux).
    [Fact]
    public async Task AppendAsync_ThousandsOfBatchesInOneCall_AllWrittenAtTheirOffsets()
    {
        var log = await CreateLogAsync();
        var batches = Enumerable.Range(0, 3000).SelectMany(i => TestBatches.Make($"b{i}", count: 1 + i % 2)).ToArray();
        var original = (byte[])batches.Clone();

        var info = await log.AppendAsync(batches);

        Assert.Equal((0L, 4499L), (info.FirstOffset, info.LastOffset));
        Assert.Equal(original, batches);
        var stored = await File.ReadAllBytesAsync(Directory.GetFiles(log.Directory, "*.log").Single());
        var headers = TestBatches.AssertWholeBatches(stored);
        Assert.Equal(3000, headers.Count);
        Assert.Equal(headers.Select((_, i) => i / 2 * 3L + i % 2), headers.Select(h => h.BaseOffset));
        var records = await TestBatches.ReadAllAsync(log, maxBytes: 1 << 20);
        Assert.Equal(Enumerable.Range(0, 3000).SelectMany(i => Enumerable.Range(0, 1 + i % 2).Select(r => $"b{i}-{r}")), records.Select(TestBatches.ValueOf));
    }

    // Intent: index entries reach the .index file in one write at flush (not one write per append), each pointing at its batch.
    [Fact]
    public async Task FlushAsync_IndexEntriesMadeSinceTheLastFlush_AreWrittenThen()
    {
        var log = await CreateLogAsync(LogConfig.Default with { IndexIntervalBytes = 100 });
        var index = Directory.GetFiles(log.Directory, "*.index").Single();
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", count: 2, valueSize: 60));
        }

        Assert.Equal(0, new FileInfo(index).Length);
        await log.FlushAsync();
        var first = await File.ReadAllBytesAsync(index);
        for (var i = 20; i < 30; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", count: 2, valueSize: 60));
        }

        await log.FlushAsync();
        var second = await File.ReadAllBytesAsync(index);

        Assert.True(first.Length >= 8 * 15, $"{first.Length} bytes of index for 20 batches of ~200 bytes");
        Assert.True(second.Length >= first.Length + 8 * 8, $"{second.Length} bytes after 10 more batches");
        Assert.Equal(first, second[..first.Length]);
        var segment = await File.ReadAllBytesAsync(Directory.GetFiles(log.Directory, "*.log").Single());
        for (var at = 0; at < second.Length; at += 8)
        {
            var relativeOffset = BinaryPrimitives.ReadInt32BigEndian(second.AsSpan(at));
            var position = BinaryPrimitives.ReadInt32BigEndian(second.AsSpan(at + 4));
            Assert.Equal(relativeOffset, RecordBatchHeader.ReadValidated(segment.AsSpan(position)).BaseOffset);
        }
    }

    [Fact]
    public async Task AppendAsync_AcrossSegmentRolls_ReadsEveryRecordInOrder()
    {
        var log = await CreateLogAsync(new LogConfig { SegmentBytes = 1024, IndexIntervalBytes = 128 });

        for (var i = 0; i < 200; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", count: 1 + i % 3, valueSize: i % 50));
        }

        Assert.True(log.SegmentCount > 10, $"expected many segments, got {log.SegmentCount}");
        var records = await TestBatches.ReadAllAsync(log, maxBytes: 300);
        Assert.Equal(log.LogEndOffset, records.Count);
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset));
        var logFiles = Directory.GetFiles(log.Directory, "*.log").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(log.SegmentCount, logFiles.Count);
        Assert.Equal("00000000000000000000.log", logFiles[0]);
        Assert.All(logFiles, name => Assert.Equal(24, name!.Length));
        Assert.All(Directory.GetFiles(log.Directory, "*.log"), file => Assert.True(new FileInfo(file).Length <= 1024));
        Assert.Equal(Directory.GetFiles(log.Directory, "*.log").Sum(f => new FileInfo(f).Length), log.SizeInBytes);
    }

    [Fact]
    public async Task ReadAsync_EveryOffsetAcrossSegments_StartsWithBatchContainingIt()
    {
        var log = await CreateLogAsync(new LogConfig { SegmentBytes = 2048, IndexIntervalBytes = 100 });
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", count: 4));
        }

        for (long offset = 0; offset < log.LogEndOffset; offset++)
        {
            var fetch = await log.ReadAsync(offset, maxBytes: 1);
            var header = Assert.Single(TestBatches.AssertWholeBatches(fetch.Batches));
            Assert.InRange(offset, header.BaseOffset, header.LastOffset);
        }
    }

    [Fact]
    public async Task ReadAsync_AtLogEndOffset_ReturnsEmpty()
    {
        var log = await CreateLogAsync();
        Assert.True((await log.ReadAsync(0, 1000)).Batches.IsEmpty);

        await log.AppendAsync(TestBatches.Make("a", 2));
        var fetch = await log.ReadAsync(2, 1000);

        Assert.True(fetch.Batches.IsEmpty);
        Assert.Equal((0L, 2L), (fetch.LogStartOffset, fetch.LogEndOffset));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(3L)]
    [InlineData(long.MaxValue)]
    public async Task ReadAsync_OffsetOutsideLog_ThrowsOffsetOutOfRange(long offset)
    {
        var log = await CreateLogAsync();
        await log.AppendAsync(TestBatches.Make("a", 2));

        var e = await Assert.ThrowsAsync<StorageException>(() => log.ReadAsync(offset, 1000).AsTask());

        Assert.Equal(StorageErrorKind.OffsetOutOfRange, e.Kind);
    }

    [Fact]
    public async Task ReadAsync_MaxBytesSmallerThanBatch_ReturnsOneWholeBatch()
    {
        var log = await CreateLogAsync();
        var batch = TestBatches.Make("big", count: 10, valueSize: 100);
        await log.AppendAsync(batch);
        await log.AppendAsync(TestBatches.Make("next"));

        var fetch = await log.ReadAsync(0, maxBytes: 10);

        Assert.Equal(batch.Length, fetch.Batches.Length);
        Assert.Single(TestBatches.AssertWholeBatches(fetch.Batches));
    }

    [Fact]
    public async Task ReadAsync_MaxBytesEndsInsideThirdBatch_ReturnsTwoWholeBatches()
    {
        var log = await CreateLogAsync();
        var batch = TestBatches.Make("b", count: 2, valueSize: 40);
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync(batch);
        }

        var fetch = await log.ReadAsync(0, maxBytes: batch.Length * 2 + batch.Length / 2);

        Assert.Equal(2, TestBatches.AssertWholeBatches(fetch.Batches).Count);
    }

    [Fact]
    public async Task ReadAsync_OffsetInsideBatch_ReturnsTheWholeContainingBatch()
    {
        var log = await CreateLogAsync();
        await log.AppendAsync(TestBatches.Make("a", 5));
        await log.AppendAsync(TestBatches.Make("b", 5));

        var fetch = await log.ReadAsync(7, 1);

        var header = Assert.Single(TestBatches.AssertWholeBatches(fetch.Batches));
        Assert.Equal((5L, 9L), (header.BaseOffset, header.LastOffset));
    }

    [Fact]
    public async Task ReadAsync_MaxOffset_StopsBeforeTheBatchStartingThere()
    {
        var log = await CreateLogAsync();
        await log.AppendAsync(TestBatches.Make("a", 3));
        await log.AppendAsync(TestBatches.Make("b", 3));
        await log.AppendAsync(TestBatches.Make("c", 3));

        var capped = await log.ReadAsync(0, 100_000, maxOffset: 6);
        var atCap = await log.ReadAsync(6, 100_000, maxOffset: 6);

        Assert.Equal([0L, 3L], TestBatches.AssertWholeBatches(capped.Batches).Select(h => h.BaseOffset));
        Assert.True(atCap.Batches.IsEmpty);
        Assert.Equal(9, atCap.LogEndOffset);
    }

    [Fact]
    public async Task AppendAsync_CorruptSecondBatch_RejectsAllAndLeavesLogUntouched()
    {
        var log = await CreateLogAsync();
        await log.AppendAsync(TestBatches.Make("before"));
        var sizeBefore = log.SizeInBytes;
        var bad = TestBatches.Make("bad", 3);
        bad[^2] ^= 0x40;

        var e = await Assert.ThrowsAsync<StorageException>(() => log.AppendAsync(TestBatches.Make("good").Concat(bad).ToArray()).AsTask());

        Assert.Equal(StorageErrorKind.CorruptRecord, e.Kind);
        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal(sizeBefore, log.SizeInBytes);
        Assert.Equal(sizeBefore, new FileInfo(Path.Combine(log.Directory, "00000000000000000000.log")).Length);
        Assert.Equal(1, (await log.AppendAsync(TestBatches.Make("after"))).FirstOffset);
    }

    public static TheoryData<string, byte[]> MalformedAppends()
    {
        var good = TestBatches.Make("g", 2);
        var wrongMagic = (byte[])good.Clone();
        wrongMagic[16] = 1;
        var noRecords = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32BigEndian(noRecords.AsSpan(57), 0);
        BinaryPrimitives.WriteUInt32BigEndian(noRecords.AsSpan(17), Crc32C.Compute(noRecords.AsSpan(21)));
        var wrongDelta = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32BigEndian(wrongDelta.AsSpan(23), 5);
        BinaryPrimitives.WriteUInt32BigEndian(wrongDelta.AsSpan(17), Crc32C.Compute(wrongDelta.AsSpan(21)));
        var shortLength = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32BigEndian(shortLength.AsSpan(8), 10);
        return new()
        {
            { "empty", [] },
            { "truncated", good[..^1] },
            { "trailing bytes", [.. good, 0, 0, 0] },
            { "wrong magic", wrongMagic },
            { "no records", noRecords },
            { "wrong lastOffsetDelta", wrongDelta },
            { "batchLength too small", shortLength },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedAppends))]
    public async Task AppendAsync_MalformedBatch_ThrowsCorruptRecordAndAppendsNothing(string why, byte[] batches)
    {
        var log = await CreateLogAsync();

        var e = await Assert.ThrowsAsync<StorageException>(() => log.AppendAsync(batches).AsTask());

        Assert.True(e.Kind == StorageErrorKind.CorruptRecord, $"{why}: {e.Kind}");
        Assert.Equal((0L, 0L), (log.LogEndOffset, log.SizeInBytes));
    }

    [Fact]
    public async Task AppendAsync_BatchLargerThanMaxMessageBytes_ThrowsRecordTooLarge()
    {
        var log = await CreateLogAsync(new LogConfig { MaxMessageBytes = 200 });

        var e = await Assert.ThrowsAsync<StorageException>(() => log.AppendAsync(TestBatches.Make("big", valueSize: 300)).AsTask());

        Assert.Equal(StorageErrorKind.RecordTooLarge, e.Kind);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public async Task AppendAsync_BatchLargerThanSegmentBytes_GetsASegmentOfItsOwn()
    {
        var log = await CreateLogAsync(new LogConfig { SegmentBytes = 100 });

        await log.AppendAsync(TestBatches.Make("a", valueSize: 200));
        await log.AppendAsync(TestBatches.Make("b", valueSize: 200));

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(["a-0", "b-0"], (await TestBatches.ReadAllAsync(log)).Select(TestBatches.ValueOf));
    }

    [Fact]
    public async Task FlushAsync_ConcurrentCallers_AllCompleteWithRecoveryPointAtLogEnd()
    {
        var log = await CreateLogAsync(); // one segment: a roll would start a flush of its own
        for (var i = 0; i < 50; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 100));
        }

        Assert.Equal(log.LogEndOffset, log.RecoveryPoint + 50);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => log.FlushAsync().AsTask()));

        Assert.Equal(log.LogEndOffset, log.RecoveryPoint);
    }

    [Fact]
    public async Task ReadAsync_ConcurrentReadersWhileAppending_SeeOnlyWholeBatches()
    {
        var log = await CreateLogAsync(new LogConfig { SegmentBytes = 8 * 1024, IndexIntervalBytes = 256 });
        const int batches = 400;
        using var done = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < batches; i++)
            {
                await log.AppendAsync(TestBatches.Make($"w{i}", count: 1 + i % 4, valueSize: i % 200));
            }
        });

        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var reads = 0;
            long next = 0;
            while (!writer.IsCompleted || next < log.LogEndOffset)
            {
                var fetch = await log.ReadAsync(next, maxBytes: 1 + (reads * 97 % 3000));
                reads++;
                var headers = TestBatches.AssertWholeBatches(fetch.Batches);
                Assert.True(headers.Count == 0 || headers[0].BaseOffset <= next && next <= headers[0].LastOffset);
                for (var h = 1; h < headers.Count; h++)
                {
                    Assert.Equal(headers[h - 1].LastOffset + 1, headers[h].BaseOffset);
                }

                Assert.True(headers.Count == 0 || headers[^1].LastOffset < fetch.LogEndOffset);
                if (headers.Count > 0)
                {
                    next = headers[^1].LastOffset + 1;
                }
                else
                {
                    await Task.Yield();
                }
            }

            return reads;
        })).ToList();

        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        var readCounts = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(readCounts, count => Assert.True(count > 0));
        Assert.Equal(log.LogEndOffset, (await TestBatches.ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task AppendAsync_SegmentRolled_ClosedSegmentIsFlushedInTheBackground()
    {
        var log = await CreateLogAsync(new LogConfig { SegmentBytes = 1024 });
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(TestBatches.Make($"r{i}", valueSize: 100));
        }

        var firstRolledEnd = long.Parse(Path.GetFileNameWithoutExtension(Directory.GetFiles(log.Directory, "*.log").Order().ElementAt(1)), System.Globalization.CultureInfo.InvariantCulture);
        await log.WaitForFlushAsync(firstRolledEnd - 1).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task DisposeAsync_ThenUse_ThrowsObjectDisposed()
    {
        var log = await CreateLogAsync();
        await log.AppendAsync(TestBatches.Make("a"));

        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.ReadAsync(0, 100).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync(TestBatches.Make("b")).AsTask());
    }
}
