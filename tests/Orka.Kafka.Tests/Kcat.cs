using System.Diagnostics;

namespace Orka.Kafka.Tests;

/// <summary>Runs Debian's kcat (installed by .ci/run); a missing kcat fails the test with that message.</summary>
internal static class Kcat
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string arguments, string? input = null, TimeSpan? timeout = null)
    {
        var path = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("kcat is not installed: run `apt-get install -y kcat` (as .ci/run does).");
        using var process = Process.Start(new ProcessStartInfo(path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {arguments} did not finish: {await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
