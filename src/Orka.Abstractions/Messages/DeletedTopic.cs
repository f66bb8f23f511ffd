namespace Orka;

/// <summary>
/// A record that a topic (this name and this id) was deleted: a node that was down at the time
/// deletes its partitions of that topic when it sees this.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.DeletedTopic")]
public sealed record DeletedTopic(
    [property: Id(0)] string Name,
    [property: Id(1)] Guid TopicId,
    [property: Id(2)] DateTimeOffset DeletedAt);
