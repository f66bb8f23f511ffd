namespace Orka;

/// <summary>
/// One topic config key Orka understands: its Kafka name, the value a topic has when the key is not
/// set on it, and what it does.
/// </summary>
/// <param name="Name">Kafka's name of the key, e.g. <c>retention.ms</c>.</param>
/// <param name="DefaultValue">The value in effect when the topic does not set the key, as Kafka writes it.</param>
/// <param name="Documentation">One or two sentences on what the key does.</param>
public sealed record TopicConfigDefinition(string Name, string DefaultValue, string Documentation);
