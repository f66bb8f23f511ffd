using Orka.Telemetry;

namespace Orka.Broker.Telemetry;

/// <summary>
/// Starts the partition and group grains' spans around their calls (<see cref="PartitionSpans"/>,
/// <see cref="GroupSpans"/>), so the grains themselves carry no tracing code. With nobody listening
/// to the <c>Orka</c> source a call costs one <see cref="System.Diagnostics.ActivitySource.HasListeners"/> check.
/// </summary>
internal sealed class OrkaSpanFilter(TimeProvider time) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!OrkaActivitySource.Instance.HasListeners())
        {
            return context.Invoke();
        }

        return context.Grain switch
        {
            IPartitionGrain => PartitionSpans.InvokeAsync(context),
            IConsumerGroupGrain => GroupSpans.InvokeAsync(context, time),
            _ => context.Invoke(),
        };
    }
}
