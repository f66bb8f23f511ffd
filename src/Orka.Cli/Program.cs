using Orka.Cli;

// The orka command. Commands live in OrkaCommands; this file only runs them.
return await OrkaCommands.Build().Parse(args).InvokeAsync();
