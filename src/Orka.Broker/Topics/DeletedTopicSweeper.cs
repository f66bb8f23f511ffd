using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Cluster;
using Orka.Storage;

namespace Orka.Broker.Topics;

/// <summary>
/// Deletes this node's partitions of deleted topics. A topic deleted while one of its nodes was down
/// leaves that node's partitions on disk; when the node is back, this finds them (matching both name
/// and topic id, so a newer topic of the same name is never touched) and removes them. Runs once the
/// silo is active and then every <see cref="OrkaNodeOptions.DeletedTopicSweepInterval"/>.
/// </summary>
internal sealed class DeletedTopicSweeper(
    IGrainFactory grains,
    LogManager logs,
    IOptions<OrkaNodeOptions> options,
    TimeProvider time,
    ILogger<DeletedTopicSweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeletedTopicSweeper), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    /// <summary>One pass: returns how many partition logs were deleted.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = (await grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ListDeletedTopicsAsync())
            .Select(d => (d.Name, d.TopicId))
            .ToHashSet();
        var removed = 0;
        foreach (var (topic, partition) in logs.ListLogs())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (logs.ReadTopicId(topic, partition) is { } id && deleted.Contains((topic, id)))
            {
                await logs.DeleteLogAsync(topic, partition, cancellationToken);
                logger.LogInformation("Deleted partition {Topic}-{Partition} of a topic deleted while this node was away", topic, partition);
                removed++;
            }
        }

        return removed;
    }

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeletedTopicSweepInterval, time);
        do
        {
            try
            {
                await SweepOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Sweeping deleted topics failed; trying again in {Interval}", options.Value.DeletedTopicSweepInterval);
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
