using System.Text;
using System.Text.Json;
using Orka.Gateway.Contracts;
using Orka.Records;

namespace Orka.Gateway.Api;

/// <summary>
/// Bytes to and from JSON. Going in, a string is UTF-8 text or base64 (by the request's encoding)
/// and any other JSON value is stored as its JSON text. Coming out, bytes that are valid UTF-8
/// without control characters (tab, CR and LF allowed) are shown as text, the rest as base64.
/// </summary>
public static class RecordJson
{
    /// <summary>The encoding name for UTF-8 text.</summary>
    public const string Text = "text";

    /// <summary>The encoding name for base64 (binary).</summary>
    public const string Base64 = "base64";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True for <c>base64</c>, false for <c>text</c> or none; InvalidRequest otherwise.</summary>
    public static bool IsBase64(string? encoding) => encoding switch
    {
        null or Text => false,
        Base64 => true,
        _ => throw new OrkaException(OrkaErrorCode.InvalidRequest, $"encoding must be '{Text}' or '{Base64}'; got '{encoding}'."),
    };

    /// <summary>The bytes of a key or value as sent; null for JSON null or absent. <paramref name="what"/> names it in errors.</summary>
    public static byte[]? ToBytes(JsonElement? element, bool base64, string what)
    {
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        return e.ValueKind == JsonValueKind.String ? ToBytes(e.GetString(), base64, what) : Encoding.UTF8.GetBytes(e.GetRawText());
    }

    /// <summary>The bytes of a string as sent (text or base64); null stays null.</summary>
    public static byte[]? ToBytes(string? text, bool base64, string what)
    {
        if (text is null)
        {
            return null;
        }

        if (!base64)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"{what} is not valid base64 (the request's encoding is '{Base64}').");
        }
    }

    /// <summary>A stored record as the API shows it.</summary>
    public static RecordView View(int partition, in Record record, bool forceBase64)
    {
        var (key, keyEncoding) = Show(record.Key, forceBase64);
        var (value, valueEncoding) = Show(record.Value, forceBase64);
        var headers = record.Headers.Count == 0
            ? []
            : record.Headers.Select(h =>
            {
                var (v, encoding) = Show(h.Value, forceBase64);
                return new HeaderView(h.Key, v, encoding);
            }).ToList();
        return new RecordView(partition, record.Offset, record.Timestamp, key, keyEncoding, value, valueEncoding, headers);
    }

    private static (string? Text, string Encoding) Show(ReadOnlyMemory<byte>? bytes, bool forceBase64)
    {
        if (bytes is not { } b)
        {
            return (null, Text);
        }

        if (!forceBase64)
        {
            try
            {
                var text = StrictUtf8.GetString(b.Span);
                if (!text.Any(c => char.IsControl(c) && c is not ('\t' or '\r' or '\n')))
                {
                    return (text, Text);
                }
            }
            catch (DecoderFallbackException)
            {
                // not UTF-8: binary
            }
        }

        return (Convert.ToBase64String(b.Span), Base64);
    }
}
