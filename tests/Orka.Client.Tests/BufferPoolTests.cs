using Microsoft.Extensions.Time.Testing;
using Orka.Client.Producer;

namespace Orka.Client.Tests;

public sealed class BufferPoolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Intent: a record that does not fit in the remaining buffer waits, and is accepted once acknowledged records free the space.
    [Fact]
    public async Task BufferPool_BufferFull_RecordWaitsUntilSpaceReleased()
    {
        var accepted = new List<QueuedRecord>();
        var pool = new BufferPool(new ProducerOptions { BufferMemory = 1000, BatchSize = 1000 }, new Lock(), new FakeTimeProvider(), accepted.Add);

        var first = pool.ReserveAndAccept(Record(600), CancellationToken.None);
        var second = pool.ReserveAndAccept(Record(600), CancellationToken.None);

        Assert.True(await first);
        Assert.False(second.IsCompleted);
        Assert.Single(accepted);
        pool.Release(600);
        Assert.True(await second.WaitAsync(Timeout));
        Assert.Equal(2, accepted.Count);
        Assert.Equal(600, pool.BufferedBytes);
    }

    // Intent: a record still waiting for space when MaxBlock passes fails with RequestTimedOut and never enters the buffer.
    [Fact]
    public async Task BufferPool_NoSpaceWithinMaxBlock_FailsRecordWithRequestTimedOut()
    {
        var time = new FakeTimeProvider();
        var accepted = new List<QueuedRecord>();
        var pool = new BufferPool(new ProducerOptions { BufferMemory = 1000, BatchSize = 1000, MaxBlock = TimeSpan.FromSeconds(1) }, new Lock(), time, accepted.Add);
        await pool.ReserveAndAccept(Record(600), CancellationToken.None);
        var blocked = Record(600);

        var waiting = pool.ReserveAndAccept(blocked, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await waiting.WaitAsync(Timeout));
        var error = await Assert.ThrowsAsync<OrkaException>(() => ((TaskSink)blocked.Delivery).Task);
        Assert.Equal(OrkaErrorCode.RequestTimedOut, error.Code);
        Assert.Single(accepted);
        Assert.Equal(600, pool.BufferedBytes);
    }

    // Intent: waiting records are let in first come first served: a small record does not overtake a big one that waits.
    [Fact]
    public async Task BufferPool_SmallRecordBehindWaitingBigOne_WaitsItsTurn()
    {
        var accepted = new List<QueuedRecord>();
        var pool = new BufferPool(new ProducerOptions { BufferMemory = 1000, BatchSize = 1000 }, new Lock(), new FakeTimeProvider(), accepted.Add);
        await pool.ReserveAndAccept(Record(600), CancellationToken.None);

        var big = pool.ReserveAndAccept(Record(600), CancellationToken.None);
        var small = pool.ReserveAndAccept(Record(100), CancellationToken.None);

        Assert.False(small.IsCompleted, "the small record would fit, but the big one waits ahead of it");
        pool.Release(600);
        await Task.WhenAll(big, small).WaitAsync(Timeout);
        Assert.Equal([600, 600, 100], accepted.Select(r => r.Size));
    }

    // Intent: a returned batch is handed out again, emptied, instead of a new one.
    [Fact]
    public void BufferPool_BatchReturned_RentedAgainEmpty()
    {
        var pool = new BufferPool(new ProducerOptions(), new Lock(), new FakeTimeProvider(), _ => { });
        var batch = pool.RentBatch();
        batch.Builder.Append(0, default, [1, 2, 3]);
        batch.Waiters.Add(new Waiter(new TaskSink(), 0, 0));

        pool.ReturnBatch(batch);
        var again = pool.RentBatch();

        Assert.Same(batch, again);
        Assert.Equal(0, again.Builder.Count);
        Assert.Empty(again.Waiters);
    }

    // Intent: spare batches are kept only up to BufferMemory / BatchSize (at least 16), so an idle producer does not hoard memory.
    [Fact]
    public void BufferPool_MoreBatchesReturnedThanBufferHolds_KeepsOnlyThatMany()
    {
        var pool = new BufferPool(new ProducerOptions { BufferMemory = 32 * 1024, BatchSize = 1024 }, new Lock(), new FakeTimeProvider(), _ => { });

        for (var i = 0; i < 40; i++)
        {
            pool.ReturnBatch(new ProducerBatch());
        }

        Assert.Equal(32, pool.MaxSpareBatches);
        Assert.Equal(32, pool.SpareBatches);
    }

    private static QueuedRecord Record(int size) => new("topic", null, new byte[1], null, 0, size) { Delivery = new TaskSink() };
}
