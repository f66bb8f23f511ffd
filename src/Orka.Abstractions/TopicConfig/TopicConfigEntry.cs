namespace Orka;

/// <summary>One key of a topic's full config: the value in effect, the default, and where the value comes from.</summary>
/// <param name="Name">Kafka's name of the key.</param>
/// <param name="Value">The value in effect for the topic.</param>
/// <param name="DefaultValue">The catalog's default; null for a key set on the topic that the catalog does not know.</param>
/// <param name="Source">Set on the topic, or the default.</param>
/// <param name="Documentation">What the key does (empty for a key the catalog does not know).</param>
public sealed record TopicConfigEntry(string Name, string Value, string? DefaultValue, TopicConfigSource Source, string Documentation);
