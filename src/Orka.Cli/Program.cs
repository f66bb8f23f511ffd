using System.CommandLine;
using Orka.Cli;

// The orka command. Commands live in OrkaCommands; this file only runs them. A command line that
// does not parse is a usage error: exit 2, like every other usage error of orka. Ctrl+C and SIGTERM
// cancel the command's token (TerminationSignals); System.CommandLine's own handling is off, as it
// would end the process before a command has committed or reported. Response files are off: an
// argument starting with @ is a value (consume --offset @<time>), never a file to read arguments from.
var parse = OrkaCommands.Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"orka: {error.Message}");
    }

    await Console.Error.WriteLineAsync("Run 'orka --help' for usage.");
    return 2;
}

using var signals = new TerminationSignals();
var exitCode = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
return signals.ExitCode ?? exitCode;
