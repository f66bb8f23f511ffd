namespace Orka.Storage.Tests;

/// <summary>
/// Crash and corruption at open. A crash is simulated by closing cleanly and then removing the
/// clean-shutdown marker and the checkpoints (so nothing on disk is trusted), then damaging files.
/// </summary>
public sealed class LogRecoveryTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 1024, IndexIntervalBytes = 100 };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_TornTailAtEveryBytePositionOfLastBatch_TruncatesItAndAppendsContinue()
    {
        var template = _temp.Combine("template");
        var batchSizes = await WriteLogAsync(template, LogConfig.Default, batches: 5);
        var lastBatchStart = batchSizes.Take(4).Sum();
        var fullLength = batchSizes.Sum();

        for (var cut = lastBatchStart + 1; cut < fullLength; cut++)
        {
            var dataDirectory = _temp.Combine($"cut-{cut}");
            CopyDirectory(template, dataDirectory);
            SimulateCrash(dataDirectory);
            using (var file = File.OpenWrite(SegmentPath(dataDirectory, 0)))
            {
                file.SetLength(cut);
            }

            await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
            var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, LogConfig.Default);

            Assert.Equal(4, log.LogEndOffset);
            Assert.Equal(cut - lastBatchStart, log.LastRecovery.BytesTruncated);
            Assert.NotNull(log.LastRecovery.Problem);
            Assert.Equal(["b0-0", "b1-0", "b2-0", "b3-0"], (await TestBatches.ReadAllAsync(log)).Select(TestBatches.ValueOf));
            Assert.Equal(4, (await log.AppendAsync(TestBatches.Make("after"))).FirstOffset);
            Assert.Equal("after-0", TestBatches.ValueOf(RecordBatchReader.ReadRecords((await log.ReadAsync(4, 1000)).Batches).Single()));
            await manager.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Open_ZeroFilledTail_IsTruncated()
    {
        var dataDirectory = _temp.Path;
        var sizes = await WriteLogAsync(dataDirectory, LogConfig.Default, batches: 3);
        SimulateCrash(dataDirectory);
        using (var file = File.OpenWrite(SegmentPath(dataDirectory, 0)))
        {
            file.SetLength(sizes.Sum() + 4096); // a crash after the file grew but before its pages were written
        }

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, LogConfig.Default);

        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(4096, log.LastRecovery.BytesTruncated);
        Assert.Equal(sizes.Sum(), new FileInfo(SegmentPath(dataDirectory, 0)).Length);
    }

    [Fact]
    public async Task Open_FlippedByteInMiddleSegmentAfterCrash_CutsThereAndDeletesLaterSegments()
    {
        var dataDirectory = _temp.Path;
        await WriteLogAsync(dataDirectory, SmallSegments, batches: 60, valueSize: 60);
        SimulateCrash(dataDirectory);
        var segments = SegmentBaseOffsets(dataDirectory);
        Assert.True(segments.Count >= 4);
        var victim = SegmentPath(dataDirectory, segments[1]);
        var bytes = File.ReadAllBytes(victim);
        var secondBatch = TestBatches.BatchLengthAt(bytes, 0);
        bytes[secondBatch + 70] ^= 0x01; // inside the second batch's records
        File.WriteAllBytes(victim, bytes);

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(segments[1] + 1, log.LogEndOffset); // one batch of one record survives in that segment
        Assert.Equal(segments.Count - 2, log.LastRecovery.SegmentsDeleted);
        Assert.Contains("CRC", log.LastRecovery.Problem);
        Assert.Equal(log.LogEndOffset, (await TestBatches.ReadAllAsync(log)).Count);
        Assert.Equal(2, SegmentBaseOffsets(dataDirectory).Count);
        Assert.Empty(Directory.GetFiles(log.Directory, "*.deleted"));
    }

    [Fact]
    public async Task Open_AfterCrashWithoutCheckpoint_ChecksEverySegment()
    {
        var dataDirectory = _temp.Path;
        await WriteLogAsync(dataDirectory, SmallSegments, batches: 40, valueSize: 60);
        var segmentCount = SegmentBaseOffsets(dataDirectory).Count;
        SimulateCrash(dataDirectory);

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.False(manager.WasCleanShutdown);
        Assert.Equal(segmentCount, log.LastRecovery.SegmentsChecked);
        Assert.Equal(40, log.LastRecovery.BatchesChecked);
        Assert.Equal(0, log.LastRecovery.BytesTruncated);
        Assert.Null(log.LastRecovery.Problem);
    }

    [Fact]
    public async Task Open_AfterCleanShutdown_ChecksOnlyTheLastSegment()
    {
        var dataDirectory = _temp.Path;
        await WriteLogAsync(dataDirectory, SmallSegments, batches: 40, valueSize: 60);

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.True(manager.WasCleanShutdown);
        Assert.Equal(1, log.LastRecovery.SegmentsChecked);
        Assert.Equal(40, log.LogEndOffset);
        Assert.Equal(40, (await TestBatches.ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task Open_AfterCrashWithCheckpoint_ChecksFromTheRecoveryPointOnly()
    {
        var dataDirectory = _temp.Path;
        await WriteLogAsync(dataDirectory, SmallSegments, batches: 40, valueSize: 60);
        File.Delete(Path.Combine(dataDirectory, ".clean-shutdown")); // keep the checkpoint: recovery point = 40

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.False(manager.WasCleanShutdown);
        Assert.Equal(1, log.LastRecovery.SegmentsChecked);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("odd length")]
    [InlineData("out of order")]
    [InlineData("points past the log")]
    [InlineData("points inside a batch")]
    public async Task Open_BadIndexOfTrustedSegment_IsRebuiltAndReadsWork(string damage)
    {
        var dataDirectory = _temp.Path;
        await WriteLogAsync(dataDirectory, SmallSegments, batches: 40, valueSize: 60);
        var first = SegmentBaseOffsets(dataDirectory)[0];
        var indexPath = SegmentPath(dataDirectory, first)[..^4] + ".index";
        var original = File.ReadAllBytes(indexPath);
        Assert.True(original.Length >= 16, "the test needs an index with at least two entries");
        DamageIndex(indexPath, original, damage);

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, SmallSegments);

        Assert.Equal(1, log.LastRecovery.IndexesRebuilt);
        Assert.Equal(original, File.ReadAllBytes(indexPath));
        Assert.Equal(40, (await TestBatches.ReadAllAsync(log, maxBytes: 1)).Count);
    }

    [Fact]
    public async Task Open_LeftoverTempDeletedAndOrphanIndexFiles_AreSwept()
    {
        var dataDirectory = _temp.Path;
        await WriteLogAsync(dataDirectory, LogConfig.Default, batches: 2);
        var partitionDirectory = Path.Combine(dataDirectory, "orders-0");
        File.WriteAllText(Path.Combine(partitionDirectory, "00000000000000000099.log.deleted"), "x");
        File.WriteAllText(Path.Combine(partitionDirectory, "00000000000000000500.index"), "x");
        File.WriteAllText(Path.Combine(partitionDirectory, "partition.metadata.tmp"), "x");

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, LogConfig.Default);

        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(
            ["00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex", "partition.metadata"],
            Directory.GetFiles(partitionDirectory).Select(Path.GetFileName).Order());
    }

    private static void DamageIndex(string indexPath, byte[] original, string damage)
    {
        switch (damage)
        {
            case "missing":
                File.Delete(indexPath);
                break;
            case "odd length":
                File.WriteAllBytes(indexPath, original[..^3]);
                break;
            case "out of order":
                File.WriteAllBytes(indexPath, [.. original[8..16], .. original[0..8], .. original[16..]]);
                break;
            case "points past the log":
                var past = (byte[])original.Clone();
                past[^4] = 0x7F;
                File.WriteAllBytes(indexPath, past);
                break;
            case "points inside a batch":
                var inside = (byte[])original.Clone();
                inside[^1] += 1;
                File.WriteAllBytes(indexPath, inside);
                break;
        }
    }

    /// <summary>Writes batches "b{i}" to orders-0 and closes cleanly; returns each batch's size.</summary>
    private static async Task<List<int>> WriteLogAsync(string dataDirectory, LogConfig config, int batches, int valueSize = 0)
    {
        var sizes = new List<int>();
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync("orders", 0, TopicId, config);
        for (var i = 0; i < batches; i++)
        {
            var batch = TestBatches.Make($"b{i}", valueSize: valueSize);
            await log.AppendAsync(batch);
            sizes.Add(batch.Length);
        }

        return sizes;
    }

    private static void SimulateCrash(string dataDirectory)
    {
        File.Delete(Path.Combine(dataDirectory, ".clean-shutdown"));
        File.Delete(Path.Combine(dataDirectory, "recovery-point-offset-checkpoint"));
    }

    private static string SegmentPath(string dataDirectory, long baseOffset)
        => Path.Combine(dataDirectory, "orders-0", $"{baseOffset:D20}.log");

    private static List<long> SegmentBaseOffsets(string dataDirectory)
        => Directory.GetFiles(Path.Combine(dataDirectory, "orders-0"), "*.log")
            .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(destination, Path.GetFileName(directory)));
        }
    }
}
