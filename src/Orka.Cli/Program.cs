using Orka.Cli;

// The orka command. Commands live in OrkaCommands; this file only runs them. A command line that
// does not parse is a usage error: exit 2, like every other usage error of orka.
var parse = OrkaCommands.Build().Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"orka: {error.Message}");
    }

    await Console.Error.WriteLineAsync("Run 'orka --help' for usage.");
    return 2;
}

return await parse.InvokeAsync();
