using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Orka.Azure.Tests;

/// <summary>
/// A real Azurite (the Azure Storage emulator, npm package <c>azurite</c>) on 127.0.0.1, free ports,
/// a temp data folder and an account whose key is made up for this run. <c>.ci/run</c> installs it
/// into <c>.ci/node_modules</c>; the <c>AZURITE</c> environment variable or the PATH can point
/// elsewhere. A missing Azurite fails the test with a message that says how to install it.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    private const string Account = "orkatest";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _location;

    private Azurite(Process process, string location, string connectionString)
    {
        _process = process;
        _location = location;
        ConnectionString = connectionString;
    }

    /// <summary>A connection string with the blob, queue and table endpoints of this instance.</summary>
    public string ConnectionString { get; }

    public static async Task<Azurite> StartAsync()
    {
        var executable = FindExecutable();
        var location = Directory.CreateTempSubdirectory("orka-azurite-").FullName;
        var ports = FreePorts.Take(3);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["AZURITE_ACCOUNTS"] = $"{Account}:{key}" },
        };
        foreach (var arg in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
            "--location", location, "--skipApiVersionCheck", "--loose", "--disableTelemetry",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var listening = 0;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
                // "Azurite Blob service is successfully listening at http://127.0.0.1:…", once per service.
                if (e.Data.Contains("successfully listening", StringComparison.Ordinal) && ++listening == 3)
                {
                    ready.TrySetResult();
                }
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var connection =
            $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={key};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/{Account};" +
            $"QueueEndpoint=http://127.0.0.1:{ports[1]}/{Account};" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/{Account};";
        var azurite = new Azurite(process, location, connection);
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(StartTimeout));
        if (first != ready.Task)
        {
            await azurite.DisposeAsync();
            string log;
            lock (output)
            {
                log = output.ToString();
            }

            throw new InvalidOperationException(
                $"Azurite did not report its three services listening within {StartTimeout.TotalSeconds} s " +
                $"({(first == exited ? "it exited" : "timed out")}). Output:\n{log}");
        }

        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_location, recursive: true);
    }

    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("AZURITE") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"AZURITE={configured} does not exist.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".ci", "node_modules", ".bin", "azurite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "azurite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "Azurite is not installed: these tests need the Azure Storage emulator. Install it with " +
            "`npm install --prefix .ci azurite` at the repository root (what .ci/run does), or set AZURITE to its executable.");
    }
}
