using Microsoft.Extensions.Logging;

namespace Orka.Broker.Groups;

/// <summary>
/// Writes a group's <see cref="ConsumerGroupState"/> one write at a time: each write starts after the
/// one before it has finished, whatever its outcome. Joins and syncs interleave with other calls
/// on the group grain, so two writes could otherwise overlap and trip the store's ETag check.
/// Every caller sees its own write's outcome.
/// </summary>
internal sealed class GroupStateWriter(IPersistentState<ConsumerGroupState> state, string groupId, ILogger logger)
{
    // The last write started; the next waits for it.
    private Task _writing = Task.CompletedTask;

    public Task WriteAsync() => Enqueue(() => state.WriteStateAsync());

    /// <summary>Clears the stored state; the cleared state keeps <paramref name="generation"/> so the group keeps counting.</summary>
    public Task ClearAsync(Func<int> generation) => Enqueue(async () =>
    {
        await state.ClearStateAsync();
        state.State.Generation = generation();
    });

    /// <summary>For changes made outside a request that has something to await (state transitions): write, and log a failure.</summary>
    public void WriteInBackground(string why)
    {
        var write = WriteAsync();
        write.ContinueWith(
            t => logger.LogWarning(t.Exception, "Group {Group} could not persist its state ({Why})", groupId, why),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Current);
    }

    private Task Enqueue(Func<Task> write)
    {
        var previous = _writing;
        var next = WriteAfterAsync(previous, write);
        _writing = next;
        return next;
    }

    private static async Task WriteAfterAsync(Task previous, Func<Task> write)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // The earlier write's caller has its failure; this write goes ahead.
        }

        await write();
    }
}
