namespace Orka.Storage.Tests;

/// <summary>The leader-epoch cache: Kafka's epoch rules, its truncations and its checkpoint file.</summary>
public sealed class LeaderEpochCacheTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static LeaderEpochCache With(params (int Epoch, long Start)[] entries)
    {
        var cache = LeaderEpochCache.InMemory();
        foreach (var (epoch, start) in entries)
        {
            cache.Assign(epoch, start);
        }

        return cache;
    }

    // Intent: a new epoch is appended; the latest epoch continuing or an undefined epoch change nothing.
    [Fact]
    public void Assign_NewEpochsAndRepeats_OneEntryPerEpochInOrder()
    {
        var cache = With((0, 0), (0, 5), (-1, 7), (2, 10), (2, 12), (5, 40));

        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(2, 10), new EpochEntry(5, 40)], cache.Entries);
        Assert.Equal(new EpochEntry(5, 40), cache.Latest);
    }

    // Intent: an entry that contradicts a newer assignment (its epoch or start at or above the new one's) is replaced.
    [Fact]
    public void Assign_ConflictingEntries_RemovedBeforeTheNewOne()
    {
        var cache = With((1, 0), (3, 20), (4, 30));

        // Epoch 3 assigned again from 25 (its leader's history as a new leader sees it): epochs 3 and up go, 3 starts at 25.
        cache.Assign(3, 25);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 25)], cache.Entries);

        // An older epoch from an earlier offset: everything at or above it goes.
        cache.Assign(2, 10);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10)], cache.Entries);
    }

    // Intent: OffsetForLeaderEpoch answers as Kafka's leader does, for the latest, a middle, an older, an unknown gap and a future epoch.
    [Theory]
    [InlineData(5, 5, 100L)]   // latest epoch: the log end
    [InlineData(2, 2, 40L)]    // ends where epoch 5 starts
    [InlineData(3, 2, 40L)]    // no epoch 3 here: the largest below it, ending at the next one's start
    [InlineData(0, 0, 10L)]    // below the first epoch: the first start offset
    [InlineData(6, -1, -1L)]   // newer than anything here
    [InlineData(-1, -1, -1L)]  // undefined
    public void EndOffsetFor_RequestedEpoch_KafkasAnswer(int requested, int epoch, long endOffset)
    {
        var cache = With((1, 10), (2, 20), (5, 40));

        Assert.Equal((epoch, endOffset), cache.EndOffsetFor(requested, logEndOffset: 100));
    }

    // Intent: an empty cache cannot place any epoch.
    [Fact]
    public void EndOffsetFor_EmptyCache_Undefined() =>
        Assert.Equal((LeaderEpochCache.UndefinedEpoch, LeaderEpochCache.UndefinedOffset), LeaderEpochCache.InMemory().EndOffsetFor(0, 10));

    // Intent: truncating the log's end forgets the epochs that started in the cut part, and only those.
    [Fact]
    public void TruncateFromEnd_CutInsideAnEpoch_LaterEpochsGone()
    {
        var cache = With((1, 0), (2, 20), (5, 40));

        cache.TruncateFromEnd(40);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 20)], cache.Entries);

        cache.TruncateFromEnd(25);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 20)], cache.Entries);
    }

    // Intent: moving the log start drops the epochs that ended before it and starts the current one there.
    [Fact]
    public void TruncateFromStart_StartInsideAnEpoch_ThatEpochStartsThere()
    {
        var cache = With((1, 0), (2, 20), (5, 40));

        cache.TruncateFromStart(25);

        Assert.Equal([new EpochEntry(2, 25), new EpochEntry(5, 40)], cache.Entries);
        Assert.Equal((2, 40L), cache.EndOffsetFor(2, 100));
    }

    // Intent: every change is in the checkpoint file, which a reopened cache reads back exactly.
    [Fact]
    public void Open_AfterChanges_ReadsTheSameEpochs()
    {
        var cache = LeaderEpochCache.Open(_directory.Path);
        cache.Assign(1, 0);
        cache.Assign(4, 30);
        cache.Assign(7, 55);
        cache.TruncateFromEnd(55);

        var reopened = LeaderEpochCache.Open(_directory.Path);

        Assert.False(reopened.NeedsRebuild);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 30)], reopened.Entries);
        Assert.Equal("0\n2\n1 0\n4 30\n", File.ReadAllText(_directory.Combine(LogFileNames.LeaderEpochCheckpoint)));
    }

    // Intent: a checkpoint that does not parse (torn by hand, epochs out of order) opens empty and says it must be rebuilt.
    [Theory]
    [InlineData("0\n2\n1 0\n")]
    [InlineData("0\n2\n4 30\n1 0\n")]
    [InlineData("9\n0\n")]
    [InlineData("0\n1\n1 zero\n")]
    public void Open_UnreadableCheckpoint_EmptyAndNeedsRebuild(string content)
    {
        File.WriteAllText(_directory.Combine(LogFileNames.LeaderEpochCheckpoint), content);

        var cache = LeaderEpochCache.Open(_directory.Path);

        Assert.True(cache.NeedsRebuild);
        Assert.Empty(cache.Entries);
    }
}
