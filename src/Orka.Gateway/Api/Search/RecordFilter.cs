using System.Text;
using Orka.Records;

namespace Orka.Gateway.Api.Search;

/// <summary>
/// Which records a search keeps; every condition given must hold. <c>key</c> and <c>value</c> are
/// case-insensitive substrings of the key or value read as UTF-8 (bytes that are not UTF-8 become
/// U+FFFD, so a binary record can still match its text parts); <c>header</c> is <c>name</c> (the record
/// has that header) or <c>name=value</c> (a header with that name has exactly that UTF-8 value);
/// <c>json</c> is a <see cref="JsonPathCondition"/> on the value. A null key or value matches no substring.
/// </summary>
public sealed class RecordFilter
{
    private readonly string? _key;
    private readonly string? _value;
    private readonly string? _headerName;
    private readonly byte[]? _headerValue;
    private readonly JsonPathCondition? _json;

    public RecordFilter(string? key, string? value, string? header, string? json)
    {
        _key = string.IsNullOrEmpty(key) ? null : key;
        _value = string.IsNullOrEmpty(value) ? null : value;
        if (!string.IsNullOrEmpty(header))
        {
            var at = header.IndexOf('=');
            _headerName = at < 0 ? header : header[..at];
            _headerValue = at < 0 ? null : Encoding.UTF8.GetBytes(header[(at + 1)..]);
            if (_headerName.Length == 0)
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"header filter '{header}' has no header name; write name or name=value.");
            }
        }

        _json = string.IsNullOrWhiteSpace(json) ? null : JsonPathCondition.Parse(json);
    }

    /// <summary>True when no condition was given (every record matches).</summary>
    public bool IsEmpty => _key is null && _value is null && _headerName is null && _json is null;

    public bool Matches(in Record record)
    {
        if (_key is not null && !Contains(record.Key, _key))
        {
            return false;
        }

        if (_value is not null && !Contains(record.Value, _value))
        {
            return false;
        }

        if (_headerName is not null && !HasHeader(record.Headers))
        {
            return false;
        }

        return _json is null || (record.Value is { } v && _json.Matches(v.Span));
    }

    private static bool Contains(ReadOnlyMemory<byte>? bytes, string text) =>
        bytes is { } b && Encoding.UTF8.GetString(b.Span).Contains(text, StringComparison.OrdinalIgnoreCase);

    private bool HasHeader(IReadOnlyList<RecordHeader> headers)
    {
        foreach (var header in headers)
        {
            if (header.Key == _headerName
                && (_headerValue is null || (header.Value is { } v && v.Span.SequenceEqual(_headerValue))))
            {
                return true;
            }
        }

        return false;
    }
}
