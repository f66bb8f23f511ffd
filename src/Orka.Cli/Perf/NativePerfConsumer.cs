using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>A perf consumer over the native protocol: an <see cref="OrkaConsumer"/> through the Orleans client.</summary>
internal sealed class NativePerfConsumer(IClusterClient client, string topic, string? group, int fetchBytes) : IPerfConsumer
{
    private readonly OrkaConsumer _consumer = new(client, new ConsumerOptions { GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, MaxFetchBytes = fetchBytes });

    public Task AssignAsync(CancellationToken cancellationToken) => _consumer.AssignAsync(topic);

    public async Task ReadAsync(long messages, ConsumeProgress progress, CancellationToken cancellationToken)
    {
        await foreach (var record in _consumer.ConsumeAsync(cancellationToken))
        {
            progress.Add((record.Key?.Length ?? 0) + (record.Value?.Length ?? 0));
            if (progress.Records >= messages)
            {
                return;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    public Task CommitAsync() => group is null ? Task.CompletedTask : _consumer.CommitAsync();

    public ValueTask DisposeAsync() => _consumer.DisposeAsync();
}
