namespace Orka.Kafka.Protocol;

/// <summary>
/// A parsed request header (v1, or v2 in flexible versions: the same fields plus a tagged-field
/// section; the client id keeps its classic int16-length form in both).
/// </summary>
public sealed record RequestHeader(ApiKey ApiKey, short ApiVersion, int CorrelationId, string? ClientId);
