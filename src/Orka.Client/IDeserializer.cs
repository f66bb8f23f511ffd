namespace Orka.Client;

/// <summary>Turns record bytes back into a typed key or value for <see cref="OrkaConsumer{TKey, TValue}"/>.</summary>
/// <typeparam name="T">The type consumed.</typeparam>
public interface IDeserializer<out T>
{
    /// <summary>The value of <paramref name="data"/>; null is a Kafka null (no key, or a tombstone).</summary>
    T Deserialize(ReadOnlyMemory<byte>? data);
}
