using System.CommandLine;

namespace Orka.Cli;

/// <summary>
/// <c>orka completion bash|zsh|fish|pwsh</c>: prints a script that makes the shell complete orka's
/// commands, options and option values. Each script asks orka itself through System.CommandLine's
/// <c>[suggest:position]</c> directive (<c>orka "[suggest:14]" "orka topics li"</c> prints
/// <c>list</c>), so the completions always match the installed orka and cost one orka start per Tab.
/// </summary>
internal static class CompletionCommand
{
    public static Command Build()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish or pwsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "pwsh");
        var completion = new Command(
            "completion",
            "Print a shell completion script. bash: source <(orka completion bash) in ~/.bashrc; zsh: source <(orka completion zsh) in ~/.zshrc; " +
            "fish: orka completion fish > ~/.config/fish/completions/orka.fish; pwsh: orka completion pwsh | Out-String | Invoke-Expression in $PROFILE")
        {
            shell,
        };
        completion.SetAction(parse =>
        {
            Console.Out.Write(Script(parse.GetValue(shell)!));
            return 0;
        });
        return completion;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # orka completion for bash: source <(orka completion bash)
            _orka_complete() {
                local IFS=$'\n'
                COMPREPLY=($(orka "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
            }
            complete -o default -F _orka_complete orka

            """,
        "zsh" => """
            # orka completion for zsh: source <(orka completion zsh)
            _orka_complete() {
                local -a completions
                completions=("${(@f)$(orka "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
                compadd -- "${completions[@]}"
            }
            compdef _orka_complete orka

            """,
        "fish" => """
            # orka completion for fish: orka completion fish > ~/.config/fish/completions/orka.fish
            complete -c orka -f -a '(orka "[suggest:"(string length -- (commandline -cp))"]" (commandline -p) 2>/dev/null)'

            """,
        "pwsh" => """
            # orka completion for PowerShell: orka completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName orka -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                orka "[suggest:$cursorPosition]" "$commandAst" 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
        _ => throw new ArgumentException($"No completion script for shell '{shell}': use bash, zsh, fish or pwsh."),
    };
}
