using System.Diagnostics;
using System.Text;

namespace Orka.Cli.Tests;

/// <summary>
/// A running <c>orka</c> command (the built orka.dll) whose stdin the test writes while it runs and
/// whose output it watches: with pipes, or inside a pseudo-terminal (<c>script -qfec</c>, so stdout is
/// a terminal as for a user). <see cref="SignalAsync"/> sends a signal to the orka process itself.
/// Disposing kills whatever still runs.
/// </summary>
internal sealed class RunningOrka : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string? _pidFile;

    private RunningOrka(Process process, string? pidFile)
    {
        _process = process;
        _pidFile = pidFile;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Lines of stdout so far (a terminal's \r dropped).</summary>
    public string[] Lines => Stdout.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public StreamWriter Stdin => _process.StandardInput;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>orka with its stdin, stdout and stderr as pipes.</summary>
    public static RunningOrka Start(string gateway, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in Arguments(gateway, args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ORKA_GATEWAYS");
        return new RunningOrka(Process.Start(start)!, null);
    }

    /// <summary>
    /// orka inside a pseudo-terminal: <c>script</c> gives it a terminal for stdin and stdout (stderr
    /// too), and relays the terminal's output to this process. The shell that script starts writes its
    /// pid to a file and execs orka, so <see cref="SignalAsync"/> reaches orka itself.
    /// </summary>
    public static RunningOrka StartInTerminal(string gateway, string directory, params string[] args)
    {
        var pidFile = Path.Combine(directory, $"orka-{Guid.NewGuid():N}.pid");
        var command = $"echo $$ > {Quote(pidFile)}; exec dotnet {string.Join(' ', Arguments(gateway, args).Select(Quote))}";
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-qfec", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ORKA_GATEWAYS");
        start.Environment["SHELL"] = "/bin/sh";
        return new RunningOrka(Process.Start(start)!, pidFile);
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. "INT", "TERM", "KILL") to the orka process.</summary>
    public async Task SignalAsync(string signal)
    {
        var pid = _pidFile is null ? _process.Id : int.Parse((await File.ReadAllTextAsync(_pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed");
    }

    /// <summary>Waits until <paramref name="condition"/> holds, at most <paramref name="seconds"/>; fails saying what was awaited.</summary>
    public Task UntilAsync(Func<RunningOrka, bool> condition, string what, int seconds = 60) =>
        UntilAsync(() => Task.FromResult(condition(this)), what, seconds);

    /// <summary>Waits until <paramref name="condition"/> holds, at most <paramref name="seconds"/>; fails saying what was awaited.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; stdout: {Tail(Stdout)}; stderr: {Tail(Stderr)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the process to exit (at most <paramref name="seconds"/>) and returns its exit code.</summary>
    public async Task<int> ExitAsync(int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"orka did not exit within {seconds} s; stdout: {Tail(Stdout)}; stderr: {Tail(Stderr)}");
        }

        _process.WaitForExit(); // the output relays have drained
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        if (_pidFile is not null && File.Exists(_pidFile))
        {
            // The orka process under script is not in script's process tree once script has gone.
            if (int.TryParse(File.ReadAllText(_pidFile).Trim(), out var pid))
            {
                try
                {
                    using var orphan = Process.GetProcessById(pid);
                    if (orphan.ProcessName == "dotnet")
                    {
                        orphan.Kill();
                    }
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }

            File.Delete(_pidFile);
        }
    }

    private static IEnumerable<string> Arguments(string gateway, string[] args) =>
        [BuildOutput.Of("Orka.Cli", "orka.dll"), .. args, "--gateway", gateway];

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Tail(string text) => text.Length > 2000 ? text[^2000..] : text;

    private static void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (to)
        {
            to.Append(line).Append('\n');
        }
    }
}
