namespace Orka.Gateway.Contracts;

/// <summary>A record header: its key and its value (text or base64, see <see cref="Encoding"/>).</summary>
public sealed record HeaderView(string Key, string? Value, string Encoding);
