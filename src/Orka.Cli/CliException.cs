namespace Orka.Cli;

/// <summary>A failure the CLI reports as one line on stderr with exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
