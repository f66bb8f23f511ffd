namespace Orka.Storage;

/// <summary>Settings of one node's <see cref="LogManager"/>.</summary>
public sealed record LogManagerOptions
{
    /// <summary>The node's data directory; one subdirectory per partition log.</summary>
    public required string DataDirectory { get; init; }
}
