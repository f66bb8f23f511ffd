namespace Orka.AppHost;

/// <summary>Where the AppHost put everything: what the start-up lines print and what <see cref="StartupReporter"/> checks.</summary>
internal sealed record OrkaLayout(int Nodes, string ConsoleUrl, string Gateways, string Bootstrap, IReadOnlyList<int> KafkaPorts)
{
    /// <summary>The Aspire resources that must be healthy: every silo, then the gateway.</summary>
    public IReadOnlyList<string> Resources { get; } = [.. Enumerable.Range(0, Nodes).Select(i => $"silo{i}"), "gateway"];
}
