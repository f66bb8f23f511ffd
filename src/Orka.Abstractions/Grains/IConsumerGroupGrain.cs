using System.Collections.Immutable;

namespace Orka.Grains;

/// <summary>A consumer group (key: the group id): its committed offsets.</summary>
[Alias("Orka.IConsumerGroupGrain")]
public interface IConsumerGroupGrain : IGrainWithStringKey
{
    [Alias("Commit")]
    Task CommitAsync(ImmutableArray<CommittedOffset> offsets);

    /// <summary>Committed offsets, all of them or those of one topic.</summary>
    [Alias("GetCommitted")]
    Task<ImmutableArray<CommittedOffset>> GetCommittedAsync(string? topic = null);
}
