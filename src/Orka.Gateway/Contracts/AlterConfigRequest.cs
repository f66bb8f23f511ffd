namespace Orka.Gateway.Contracts;

/// <summary>Body of <c>PATCH /api/topics/{name}/config</c>: keys to set and keys to remove; others stay.</summary>
public sealed record AlterConfigRequest(Dictionary<string, string>? Set = null, string[]? Remove = null);
