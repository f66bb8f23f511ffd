using System.Text;
using System.Text.Json;

namespace Orka.Client;

/// <summary>The built-in deserializers, the mirror of <see cref="Serializers"/>: a Kafka null becomes null (or default).</summary>
public static class Deserializers
{
    /// <summary>UTF-8 bytes as a string.</summary>
    public static IDeserializer<string?> Utf8 { get; } = new Utf8Deserializer();

    /// <summary>The bytes as a new array (a copy: the consumed batch is not kept alive by it).</summary>
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArrayDeserializer();

    /// <summary>
    /// UTF-8 JSON as <typeparamref name="T"/>; <paramref name="options"/> default to
    /// <see cref="JsonSerializerOptions.Web"/>. Bytes that are not valid JSON for <typeparamref name="T"/>
    /// throw <see cref="JsonException"/> from the consume loop.
    /// </summary>
    public static IDeserializer<T?> Json<T>(JsonSerializerOptions? options = null) => new JsonDeserializer<T>(options ?? JsonSerializerOptions.Web);

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlyMemory<byte>? data) => data is { } d ? Encoding.UTF8.GetString(d.Span) : null;
    }

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlyMemory<byte>? data) => data?.ToArray();
    }

    private sealed class JsonDeserializer<T>(JsonSerializerOptions options) : IDeserializer<T?>
    {
        public T? Deserialize(ReadOnlyMemory<byte>? data) => data is { } d ? JsonSerializer.Deserialize<T>(d.Span, options) : default;
    }
}
