namespace Orka.Gateway.Contracts;

/// <summary>Body of <c>POST /api/topics</c>.</summary>
public sealed record CreateTopicRequest(string Name, int Partitions = 1, Dictionary<string, string>? Config = null);
