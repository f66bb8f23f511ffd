using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace Orka.Storage.Tests;

/// <summary>
/// Byte-level corruption of closed segments, made on the files under a live log (as bit rot or a
/// bad disk would): a read meets it at its range only, verify finds each, skip removes it.
/// </summary>
public sealed class CorruptionTests : IAsyncLifetime
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private readonly TempDirectory _temp = new();
    private readonly CapturingLogger _logger = new();
    private LogManager _manager = null!;

    public enum Damage
    {
        Length,
        Magic,
        Crc,
        Truncated,
    }

    public Task InitializeAsync()
    {
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path }, TimeProvider.System, _logger);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        _temp.Dispose();
    }

    // Intent: a bad length, magic or truncation in a closed segment makes exactly that batch's
    // offsets unreadable (CorruptRecord naming its range and position); everything before and after reads.
    [Theory]
    [InlineData(Damage.Length, 0)]
    [InlineData(Damage.Length, 1)]
    [InlineData(Damage.Length, 2)]
    [InlineData(Damage.Magic, 0)]
    [InlineData(Damage.Magic, 2)]
    [InlineData(Damage.Truncated, 0)]
    [InlineData(Damage.Truncated, 1)]
    [InlineData(Damage.Truncated, 2)]
    public async Task Read_CorruptHeaderInClosedSegment_OnlyThatRangeFails(Damage damage, int segmentIndex)
    {
        var (log, expected) = await CreateLogAsync(indexIntervalBytes: 1);
        var batches = StoredBatches(log);
        var bad = damage == Damage.Truncated ? batches.Last(b => b.Segment == segmentIndex) : batches.Where(b => b.Segment == segmentIndex).ElementAt(1);
        Corrupt(bad, damage);

        var range = await AssertOnlyRangeFailsAsync(log, expected, bad);
        var next = batches.FirstOrDefault(b => b.Segment == segmentIndex && b.Position > bad.Position);
        Assert.Equal(bad.Position, range.Position);
        Assert.Equal(next?.Position ?? bad.Position + (damage == Damage.Truncated ? bad.Size / 2 : bad.Size), range.EndPosition);
        Assert.Equal(bad.Path, range.SegmentPath);

        var verification = await log.VerifyAsync();
        var found = Assert.Single(verification.CorruptRanges);
        Assert.Equal((bad.BaseOffset, bad.LastOffset, bad.Position), (found.FirstOffset, found.LastOffset, found.Position));
        Assert.Equal(batches.Count - 1, verification.Batches);
    }

    // Intent: without index entries to resynchronise on, a bad length is stepped over by searching for the next valid batch.
    [Fact]
    public async Task Read_BadLengthWithoutIndexEntries_FindsNextBatchByScanning()
    {
        var (log, expected) = await CreateLogAsync(indexIntervalBytes: 1 << 20);
        var batches = StoredBatches(log);
        var bad = batches.Where(b => b.Segment == 1).ElementAt(1);
        Corrupt(bad, Damage.Length);

        var range = await AssertOnlyRangeFailsAsync(log, expected, bad);
        Assert.Equal(batches.First(b => b.Position > bad.Position && b.Segment == 1).Position, range.EndPosition);
    }

    // Intent: a flipped value byte passes the header checks of a read (Kafka clients check CRCs);
    // verify finds it, and from then on reads refuse its range as they refuse a bad header.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Verify_FlippedValueByte_FindsBadCrcAndReadsThenRefuseIt(int segmentIndex)
    {
        var (log, expected) = await CreateLogAsync(indexIntervalBytes: 1);
        var bad = StoredBatches(log).Where(b => b.Segment == segmentIndex).ElementAt(1);
        Corrupt(bad, Damage.Crc);

        var served = await log.ReadAsync(bad.BaseOffset, 1);
        Assert.Equal(bad.Size, served.Batches.Length);
        Assert.Throws<CorruptRecordException>(() => TestBatches.AssertWholeBatches(served.Batches)); // what a client's CRC check sees

        var verification = await log.VerifyAsync();
        var found = Assert.Single(verification.CorruptRanges);
        Assert.Equal((bad.BaseOffset, bad.LastOffset, bad.Position), (found.FirstOffset, found.LastOffset, found.Position));
        Assert.Contains("CRC", found.Problem);
        await AssertOnlyRangeFailsAsync(log, expected, bad);
    }

    // Intent: verify of an undamaged log reports every batch and no range.
    [Fact]
    public async Task Verify_IntactLog_ReportsNothing()
    {
        var (log, _) = await CreateLogAsync(indexIntervalBytes: 1);
        var verification = await log.VerifyAsync();
        Assert.True(verification.IsIntact);
        Assert.Equal(StoredBatches(log).Count, verification.Batches);
        Assert.Empty(_manager.KnownCorruption());
    }

    // Intent: verify reports each of several bad ranges, in several segments, with its kind.
    [Fact]
    public async Task Verify_SeveralCorruptBatches_ReportsEach()
    {
        var (log, _) = await CreateLogAsync(indexIntervalBytes: 1);
        var batches = StoredBatches(log);
        var damaged = new[] { (batches[1], Damage.Length), (batches.Where(b => b.Segment == 1).ElementAt(2), Damage.Magic), (batches.Where(b => b.Segment == 2).ElementAt(1), Damage.Crc) };
        foreach (var (batch, damage) in damaged)
        {
            Corrupt(batch, damage);
        }

        var verification = await log.VerifyAsync();
        Assert.Equal(damaged.Select(d => (d.Item1.BaseOffset, d.Item1.LastOffset, d.Item1.Path)), verification.CorruptRanges.Select(r => (r.FirstOffset, r.LastOffset, r.SegmentPath)));
        Assert.Equal(batches.Count - 3, verification.Batches);
    }

    // Intent: the node logs a corrupt range once however often it is read, and names the partition in its corruption list.
    [Fact]
    public async Task Read_CorruptRangeReadRepeatedly_LoggedOnceAndListed()
    {
        var (log, _) = await CreateLogAsync(indexIntervalBytes: 1);
        var bad = StoredBatches(log)[1];
        Corrupt(bad, Damage.Length);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<StorageException>(async () => await log.ReadAsync(bad.BaseOffset, 1024));
        }

        await log.VerifyAsync();
        var entry = Assert.Single(_logger.Errors);
        Assert.Contains(bad.Path, entry);
        Assert.Contains($"bytes {bad.Position}..", entry);
        var listed = Assert.Single(_manager.KnownCorruption());
        Assert.Equal(("orders", 0, bad.BaseOffset), (listed.Topic, listed.Partition, Assert.Single(listed.Ranges).FirstOffset));
    }

    // Intent: corruption made while the node was down is found the same way after a restart.
    [Fact]
    public async Task Read_CorruptedWhileClosed_SameRangeAfterReopen()
    {
        var (log, expected) = await CreateLogAsync(indexIntervalBytes: 1);
        var bad = StoredBatches(log).Where(b => b.Segment == 1).ElementAt(1);
        await _manager.DisposeAsync();
        Corrupt(bad, Damage.Magic);

        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path }, TimeProvider.System, _logger);
        log = await _manager.GetOrCreateLogAsync("orders", 0, TopicId, log.Config);
        await AssertOnlyRangeFailsAsync(log, expected, bad);
    }

    // Intent: skip removes a corrupt range and keeps every other offset; it survives a restart and the log stays appendable.
    [Theory]
    [InlineData(Damage.Length)]
    [InlineData(Damage.Crc)]
    public async Task SkipCorrupt_RangeFromVerify_LaterOffsetsKeptAndReadable(Damage damage)
    {
        var (log, expected) = await CreateLogAsync(indexIntervalBytes: 1);
        var bad = StoredBatches(log).Where(b => b.Segment == 1).ElementAt(1);
        Corrupt(bad, damage);
        var range = Assert.Single((await log.VerifyAsync()).CorruptRanges);
        var end = log.LogEndOffset;

        var report = await log.SkipCorruptAsync(range.FirstOffset, range.LastOffset);

        Assert.Equal(1, report.SegmentsRewritten);
        Assert.True((await log.VerifyAsync()).IsIntact);
        Assert.Empty(log.KnownCorruption);
        var survivors = expected.Where(e => e.Offset < bad.BaseOffset || e.Offset > bad.LastOffset).ToList();
        Assert.Equal(survivors, (await TestBatches.ReadAllAsync(log)).Select(r => (r.Offset, TestBatches.ValueOf(r))));
        var atGap = await log.ReadAsync(bad.BaseOffset, 1);
        Assert.Equal(bad.LastOffset + 1, RecordBatchHeader.Read(atGap.Batches.Span).BaseOffset);

        await _manager.DisposeAsync();
        _manager = LogManager.Open(new LogManagerOptions { DataDirectory = _temp.Path }, TimeProvider.System, _logger);
        log = await _manager.GetOrCreateLogAsync("orders", 0, TopicId, log.Config);
        Assert.Equal(end, log.LogEndOffset);
        Assert.Equal(survivors, (await TestBatches.ReadAllAsync(log)).Select(r => (r.Offset, TestBatches.ValueOf(r))));
        var appended = await log.AppendAsync(TestBatches.Make("after"));
        Assert.Equal(end, appended.FirstOffset);
    }

    // Intent: a skip that does not cover the whole corrupt range, or that straddles a batch, changes nothing.
    [Fact]
    public async Task SkipCorrupt_RangeNotCoveringCorruption_RefusedAndNothingChanged()
    {
        var (log, expected) = await CreateLogAsync(indexIntervalBytes: 1);
        var batches = StoredBatches(log);
        var bad = batches.Where(b => b.Segment == 1).ElementAt(1);
        Corrupt(bad, Damage.Length);

        var tooSmall = await Assert.ThrowsAsync<StorageException>(async () => await log.SkipCorruptAsync(bad.BaseOffset, bad.LastOffset - 1));
        Assert.Contains($"{bad.BaseOffset}..{bad.LastOffset}", tooSmall.Message);
        await Assert.ThrowsAsync<StorageException>(async () => await log.SkipCorruptAsync(bad.BaseOffset, bad.LastOffset + 1));
        await Assert.ThrowsAsync<StorageException>(async () => await log.SkipCorruptAsync(log.LogEndOffset - 1, log.LogEndOffset - 1));

        Assert.Equal(bad.BaseOffset, Assert.Single((await log.VerifyAsync()).CorruptRanges).FirstOffset);
        Assert.Equal(expected.Where(e => e.Offset < bad.BaseOffset), await ReadRangeAsync(log, 0, bad.BaseOffset));
    }

    private async Task<CorruptBatchRange> AssertOnlyRangeFailsAsync(PartitionLog log, List<(long Offset, string Value)> expected, StoredBatch bad)
    {
        Assert.Equal(expected.Where(e => e.Offset < bad.BaseOffset), await ReadRangeAsync(log, 0, bad.BaseOffset));
        CorruptBatchRange? range = null;
        for (var offset = bad.BaseOffset; offset <= bad.LastOffset; offset++)
        {
            var e = await Assert.ThrowsAsync<StorageException>(async () => await log.ReadAsync(offset, 64 * 1024));
            Assert.Equal(StorageErrorKind.CorruptRecord, e.Kind);
            Assert.Contains($"Offsets {bad.BaseOffset}..{bad.LastOffset} of orders-0", e.Message);
            range = e.Corruption;
            Assert.Equal((bad.BaseOffset, bad.LastOffset), (range!.FirstOffset, range.LastOffset));
        }

        var buffer = new byte[64 * 1024];
        await Assert.ThrowsAsync<StorageException>(async () => await log.ReadIntoAsync(bad.BaseOffset, buffer));
        Assert.Equal(expected.Where(e => e.Offset > bad.LastOffset), await ReadRangeAsync(log, bad.LastOffset + 1, log.LogEndOffset));
        return range!;
    }

    /// <summary>Every record in [from, to) read batch by batch, each read checked to be whole valid batches.</summary>
    private static async Task<List<(long Offset, string Value)>> ReadRangeAsync(PartitionLog log, long from, long to)
    {
        var records = new List<(long, string)>();
        var offset = from;
        while (offset < to)
        {
            var fetch = await log.ReadAsync(offset, 64 * 1024, to);
            TestBatches.AssertWholeBatches(fetch.Batches);
            var read = RecordBatchReader.ReadRecords(fetch.Batches).Where(r => r.Offset >= offset).ToList();
            Assert.NotEmpty(read);
            records.AddRange(read.Select(r => (r.Offset, TestBatches.ValueOf(r))));
            offset = read[^1].Offset + 1;
        }

        return records;
    }

    /// <summary>A log of 4+ segments of at least 3 batches (2 records each); returns every record it holds.</summary>
    private async Task<(PartitionLog Log, List<(long Offset, string Value)> Records)> CreateLogAsync(int indexIntervalBytes)
    {
        var log = await _manager.GetOrCreateLogAsync("orders", 0, TopicId, new LogConfig { SegmentBytes = 800, IndexIntervalBytes = indexIntervalBytes });
        var records = new List<(long, string)>();
        for (var i = 0; i < 20; i++)
        {
            var appended = await log.AppendAsync(TestBatches.Make($"b{i}", count: 2, valueSize: 40));
            records.Add((appended.FirstOffset, $"b{i}-0"));
            records.Add((appended.FirstOffset + 1, $"b{i}-1"));
        }

        await log.FlushAsync();
        Assert.True(StoredBatches(log).Max(b => b.Segment) >= 3, "the log should have at least four segments");
        return (log, records);
    }

    private sealed record StoredBatch(string Path, int Segment, long Position, int Size, long BaseOffset, long LastOffset);

    /// <summary>Every batch in the log's segment files, as stored.</summary>
    private static List<StoredBatch> StoredBatches(PartitionLog log)
    {
        var batches = new List<StoredBatch>();
        var files = Directory.GetFiles(log.Directory, "*.log").Order(StringComparer.Ordinal).ToList();
        for (var segment = 0; segment < files.Count; segment++)
        {
            var bytes = File.ReadAllBytes(files[segment]);
            for (var position = 0; position < bytes.Length;)
            {
                var header = RecordBatchHeader.Read(bytes.AsSpan(position));
                batches.Add(new StoredBatch(files[segment], segment, position, header.SizeInBytes, header.BaseOffset, header.LastOffset));
                position += header.SizeInBytes;
            }
        }

        return batches;
    }

    private static void Corrupt(StoredBatch batch, Damage damage)
    {
        using var file = new FileStream(batch.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        switch (damage)
        {
            case Damage.Length:
                Span<byte> length = stackalloc byte[4];
                BinaryPrimitives.WriteInt32BigEndian(length, 0x7FFFFFF0);
                RandomAccess.Write(file.SafeFileHandle, length, batch.Position + 8);
                break;
            case Damage.Magic:
                RandomAccess.Write(file.SafeFileHandle, [5], batch.Position + 16);
                break;
            case Damage.Crc:
                Span<byte> last = stackalloc byte[1];
                RandomAccess.Read(file.SafeFileHandle, last, batch.Position + batch.Size - 2);
                last[0] ^= 0x5A;
                RandomAccess.Write(file.SafeFileHandle, last, batch.Position + batch.Size - 2);
                break;
            case Damage.Truncated:
                Assert.Equal(batch.Position + batch.Size, file.Length); // the last batch of its segment
                file.SetLength(batch.Position + batch.Size / 2);
                break;
        }
    }

    /// <summary>Keeps the messages of errors logged, to count how often corruption is reported.</summary>
    private sealed class CapturingLogger : ILogger
    {
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add(formatter(state, exception));
                }
            }
        }
    }
}
