using Microsoft.Extensions.Logging;

namespace Orka.Broker.Groups;

// Persistence (one write at a time) and the expiry of an empty group's offsets.
internal sealed partial class ConsumerGroupGrain
{
    // The last state write started; the next waits for it. Joins and syncs interleave with other
    // calls, so two writes could otherwise overlap and trip the store's ETag check.
    private Task _persisting = Task.CompletedTask;

    private IGrainTimer? _retentionTimer;

    /// <summary>Writes (or clears) the state after any write already under way; every caller sees its own write's outcome.</summary>
    private Task PersistAsync(bool clear = false)
    {
        var previous = _persisting;
        var write = WriteAfterAsync(previous, clear);
        _persisting = write;
        return write;
    }

    private async Task WriteAfterAsync(Task previous, bool clear)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // The earlier write's caller has its failure; this write goes ahead.
        }

        if (clear)
        {
            await state.ClearStateAsync();
            // A cleared state keeps the generation counting (it lives on in memory).
            state.State.Generation = _generation;
        }
        else
        {
            await state.WriteStateAsync();
        }
    }

    /// <summary>For changes made outside a request that has something to await (state transitions): write, and log a failure.</summary>
    private void PersistInBackground(string why)
    {
        var write = PersistAsync();
        write.ContinueWith(
            t => logger.LogWarning(t.Exception, "Group {Group} could not persist its state ({Why})", this.GetPrimaryKeyString(), why),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Current);
    }

    /// <summary>The group lost its last member: offsets start to age. Or it got its first: they stop.</summary>
    private void OnEmptyChanged(bool empty)
    {
        state.State.EmptySince = empty ? time.GetUtcNow() : null;
        PersistInBackground(empty ? "became empty" : "got a member");
    }

    private void StartRetentionTimer()
    {
        var period = options.Value.OffsetsRetentionCheckInterval;
        _retentionTimer ??= this.RegisterGrainTimer(_ => ExpireOffsetsAsync(unregister: true), new GrainTimerCreationOptions(period, period));
    }

    /// <summary>
    /// Deletes the offsets of an empty group that are older than the retention, counted from the
    /// later of their commit and the moment the group became empty (Kafka ≥ 2.1). A group left with
    /// nothing leaves the cluster's group list: at once when <paramref name="unregister"/>, else at the
    /// next ListGroups (an activating grain must not call the cluster grain: the cluster grain may be
    /// what is activating it, waiting for its answer).
    /// </summary>
    private async Task ExpireOffsetsAsync(bool unregister)
    {
        if (_members.Count > 0 || state.State.Offsets.Count == 0 || state.State.EmptySince is not { } emptySince)
        {
            return;
        }

        var now = time.GetUtcNow();
        var retention = options.Value.OffsetsRetention;
        var expired = state.State.Offsets.Keys
            .Where(key => now - Max(emptySince, state.State.CommittedAt.GetValueOrDefault(key, emptySince)) >= retention)
            .ToList();
        if (expired.Count == 0)
        {
            return;
        }

        foreach (var key in expired)
        {
            state.State.Offsets.Remove(key);
            state.State.CommittedAt.Remove(key);
        }

        var groupId = this.GetPrimaryKeyString();
        logger.LogInformation("Group {Group}: {Count} committed offsets expired after {Retention} without members", groupId, expired.Count, retention);
        await PersistAsync();
        if (unregister && !Exists)
        {
            _registered = false;
            await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RemoveGroupAsync(groupId);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
