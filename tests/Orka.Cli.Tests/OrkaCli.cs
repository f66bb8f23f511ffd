using System.Diagnostics;

namespace Orka.Cli.Tests;

/// <summary>Runs the real <c>orka</c> command (the built orka.dll) as a child process.</summary>
internal static class OrkaCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Runs orka with <paramref name="args"/> and, unless <paramref name="gateway"/> is null, <c>--gateway</c>.</summary>
    public static async Task<Result> RunAsync(string? gateway, string? stdin, params string[] args)
    {
        var dll = BuildOutput.Of("Orka.Cli", "orka.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (gateway is not null)
        {
            start.ArgumentList.Add("--gateway");
            start.ArgumentList.Add(gateway);
        }

        start.Environment.Remove("ORKA_GATEWAYS");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"orka {string.Join(' ', args)} did not exit within 90 s");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
