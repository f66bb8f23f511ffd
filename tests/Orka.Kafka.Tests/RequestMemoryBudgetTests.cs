namespace Orka.Kafka.Tests;

/// <summary>The node-wide request memory budget on its own: never exceeded, first come first served, cancellation leaves nothing reserved.</summary>
public sealed class RequestMemoryBudgetTests
{
    // Intent: a reservation that does not fit waits until enough is released, and later ones queue behind it even if they would fit.
    [Fact]
    public async Task Reserve_OverCapacity_WaitsInOrderUntilReleased()
    {
        var budget = new RequestMemoryBudget(100);
        await budget.ReserveAsync(70, CancellationToken.None);
        var big = budget.ReserveAsync(50, CancellationToken.None).AsTask();
        var small = budget.ReserveAsync(10, CancellationToken.None).AsTask();
        Assert.False(big.IsCompleted, "50 more bytes do not fit in 30.");
        Assert.False(small.IsCompleted, "A later reservation must not pass a waiting one.");
        Assert.Equal(2, budget.Waiting);

        budget.Release(70);
        await big.WaitAsync(TimeSpan.FromSeconds(30));
        await small.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(60, budget.Used);
        Assert.True(budget.PeakUsed <= budget.Capacity);
    }

    // Intent: a cancelled wait reserves nothing, and the reservations behind it move up.
    [Fact]
    public async Task Reserve_CancelledWhileWaiting_NothingReservedNextGranted()
    {
        var budget = new RequestMemoryBudget(100);
        await budget.ReserveAsync(90, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = budget.ReserveAsync(50, cancel.Token).AsTask();
        var next = budget.ReserveAsync(10, CancellationToken.None).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(100, budget.Used);
        Assert.Equal(0, budget.Waiting);
    }

    // Intent: more than the whole budget can never be reserved.
    [Fact]
    public void Reserve_MoreThanCapacity_Refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestMemoryBudget(100).ReserveAsync(101, CancellationToken.None));
}
