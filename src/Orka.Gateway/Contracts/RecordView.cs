namespace Orka.Gateway.Contracts;

/// <summary>
/// A record as the API shows it. Key, value and header values are UTF-8 text when they decode as
/// such (<c>encoding: text</c>), else base64 (<c>encoding: base64</c>); null stays null.
/// Timestamp is Unix milliseconds.
/// </summary>
public sealed record RecordView(
    int Partition,
    long Offset,
    long Timestamp,
    string? Key,
    string KeyEncoding,
    string? Value,
    string ValueEncoding,
    IReadOnlyList<HeaderView> Headers);
