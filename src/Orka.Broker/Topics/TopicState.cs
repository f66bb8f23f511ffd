namespace Orka.Broker.Topics;

/// <summary>The persisted state of <see cref="TopicGrain"/>.</summary>
[GenerateSerializer, Alias("Orka.TopicState")]
public sealed class TopicState
{
    /// <summary>The topic, or null while it does not exist.</summary>
    [Id(0)]
    public StoredTopic? Metadata { get; set; }
}
