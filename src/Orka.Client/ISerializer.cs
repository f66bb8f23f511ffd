namespace Orka.Client;

/// <summary>Turns a typed key or value into record bytes for <see cref="OrkaProducer{TKey, TValue}"/>.</summary>
/// <typeparam name="T">The type produced.</typeparam>
public interface ISerializer<in T>
{
    /// <summary>The bytes of <paramref name="value"/>; null writes a Kafka null (a tombstone, when it is the value).</summary>
    ReadOnlyMemory<byte>? Serialize(T value);
}
