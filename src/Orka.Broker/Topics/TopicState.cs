namespace Orka.Broker.Topics;

[GenerateSerializer, Alias("Orka.TopicState")]
public sealed class TopicState
{
    /// <summary>The topic, or null while it does not exist.</summary>
    [Id(0)]
    public TopicMetadata? Metadata { get; set; }
}
