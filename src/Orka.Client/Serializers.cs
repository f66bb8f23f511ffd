using System.Text;
using System.Text.Json;

namespace Orka.Client;

/// <summary>The built-in serializers: UTF-8 strings, raw bytes and JSON (System.Text.Json). A null value is a Kafka null in each.</summary>
/// <remarks>
/// Each spells its null as <c>(ReadOnlyMemory&lt;byte&gt;?)null</c>: a bare <c>null</c> in a conditional
/// with a memory converts through <c>byte[]</c>'s implicit conversion into an empty, non-null memory,
/// turning a tombstone into an empty value.
/// </remarks>
public static class Serializers
{
    /// <summary>Strings as UTF-8 (one encoding pass, one array per record).</summary>
    public static ISerializer<string?> Utf8 { get; } = new Utf8Serializer();

    /// <summary>Byte arrays as they are (no copy: the producer copies them into the batch).</summary>
    public static ISerializer<byte[]?> ByteArray { get; } = new ByteArraySerializer();

    /// <summary>
    /// <typeparamref name="T"/> as UTF-8 JSON (<see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, JsonSerializerOptions?)"/>);
    /// <paramref name="options"/> default to <see cref="JsonSerializerOptions.Web"/> (camelCase names).
    /// </summary>
    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerializer<T>(options ?? JsonSerializerOptions.Web);

    private sealed class Utf8Serializer : ISerializer<string?>
    {
        public ReadOnlyMemory<byte>? Serialize(string? value) => value is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(value));
    }

    private sealed class ByteArraySerializer : ISerializer<byte[]?>
    {
        public ReadOnlyMemory<byte>? Serialize(byte[]? value) => value is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(value);
    }

    private sealed class JsonSerializer<T>(JsonSerializerOptions options) : ISerializer<T>
    {
        public ReadOnlyMemory<byte>? Serialize(T value) => value is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(JsonSerializer.SerializeToUtf8Bytes(value, options));
    }
}
