namespace Orka.Broker.Metadata;

/// <summary>
/// Lets an <see cref="OrkaException"/> raised by the metadata store reach the caller as itself.
/// Orleans wraps every storage provider failure that is not an <see cref="OrleansException"/> in an
/// OrleansException whose message holds the provider's whole stack trace, which the CLI and the
/// gateway would show to users; <see cref="FileMetadataStore"/> raises OrkaExceptions
/// (KAFKA_STORAGE_ERROR, retriable) and this filter unwraps them.
/// </summary>
/// <remarks>
/// Partition grains keep no grain state and carry the produce and fetch traffic, so their calls
/// skip the filter's async frame; every other call (topic, group and cluster administration) pays
/// one await.
/// </remarks>
internal sealed class MetadataErrorFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context) =>
        context.Grain is Partitions.PartitionGrain ? context.Invoke() : InvokeUnwrappingAsync(context);

    private static async Task InvokeUnwrappingAsync(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (OrleansException e) when (e.InnerException is OrkaException orka)
        {
            throw new OrkaException(orka.Code, orka.Message);
        }
    }
}
