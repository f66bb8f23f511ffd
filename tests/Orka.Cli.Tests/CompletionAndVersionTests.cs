using System.Diagnostics;

namespace Orka.Cli.Tests;

/// <summary><c>orka completion</c>, the <c>[suggest]</c> directive its scripts call, and <c>orka --version</c>; no cluster needed.</summary>
[Collection(SerialCollection.Name)]
public sealed class CompletionAndVersionTests
{
    // Intent: a partial command line completes to the commands, options and option values that fit it.
    [Theory]
    [InlineData("orka topics li", "list")]
    [InlineData("orka clu", "cluster")]
    [InlineData("orka cluster ", "health,info")]
    [InlineData("orka topics describe t --output ", "json,table,yaml")]
    [InlineData("orka completion ", "bash,fish,pwsh,zsh")]
    [InlineData("orka topics alter t --delete-config segment.", "segment.bytes,segment.ms")]
    public async Task Suggest_PartialCommandLine_ExpectedCompletions(string line, string expected)
    {
        var result = await OrkaCli.RunAsync(null, null, $"[suggest:{line.Length}]", line);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var words = result.Lines.Where(w => !w.StartsWith('-') && !w.StartsWith('/')).ToArray();
        Assert.Equal(expected.Split(','), words);
    }

    // Intent: the bash script, sourced into a real bash, completes a partial command line through the installed orka.
    [Fact]
    public async Task CompletionBash_SourcedIntoBash_CompletesPartialCommand()
    {
        var script = await OrkaCli.RunAsync(null, null, "completion", "bash");
        Assert.True(script.ExitCode == 0, script.Stderr);
        Assert.Contains("complete -o default -F _orka_complete orka", script.Stdout, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("orka-completion-");
        try
        {
            var file = Path.Combine(dir.FullName, "orka.bash");
            await File.WriteAllTextAsync(file, script.Stdout);
            var bin = Path.GetDirectoryName(BuildOutput.Of("Orka.Cli", "orka"))!;
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"""source '{file}'; COMP_LINE='orka groups de'; COMP_POINT=14; _orka_complete; printf '%s\n' "${"{"}COMPREPLY[@]{"}"}" """);
            start.Environment["PATH"] = $"{bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
            using var bash = Process.Start(start)!;
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await bash.WaitForExitAsync(timeout.Token);

            Assert.True(bash.ExitCode == 0, await stderr);
            Assert.Equal(["delete", "describe"], (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // Intent: every shell gets a script that asks orka's [suggest] directive; an unknown shell is a usage error.
    [Theory]
    [InlineData("zsh", "compdef _orka_complete orka")]
    [InlineData("fish", "complete -c orka")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName orka")]
    public async Task Completion_EachShell_ScriptCallsSuggestDirective(string shell, string registration)
    {
        var script = await OrkaCli.RunAsync(null, null, "completion", shell);

        Assert.True(script.ExitCode == 0, script.Stderr);
        Assert.Contains(registration, script.Stdout, StringComparison.Ordinal);
        Assert.Contains("[suggest:", script.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await OrkaCli.RunAsync(null, null, "completion", "cmd")).ExitCode);
    }

    // Intent: --version prints the version the orka assembly was built with.
    [Fact]
    public async Task Version_PrintsTheBuildsInformationalVersion()
    {
        // Read from the file's version resource: loading a second orka.dll into the test process would
        // disturb the Orleans silo that other tests run in it.
        var built = FileVersionInfo.GetVersionInfo(BuildOutput.Of("Orka.Cli", "orka.dll")).ProductVersion!;

        var result = await OrkaCli.RunAsync(null, null, "--version");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(built, result.Stdout.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", built);
    }
}
