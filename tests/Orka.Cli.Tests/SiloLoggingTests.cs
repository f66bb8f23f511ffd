using System.Diagnostics;

namespace Orka.Cli.Tests;

/// <summary>What a silo process prints by default: Orka's lines and warnings, not the framework's information.</summary>
public sealed class SiloLoggingTests : IDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);

    private readonly string _data = Directory.CreateTempSubdirectory("orka-silo-logging-").FullName;

    // Intent: by default a node prints Orka's start lines and no Information line of Orleans or Microsoft.
    [Fact]
    public async Task Silo_DefaultLogLevels_PrintsOrkaStartLinesButNoFrameworkInformation()
    {
        var lines = await StartupLinesAsync();

        Assert.Contains(lines, l => l.StartsWith("info: Orka.Broker.Partitions.LogManagerLifecycle", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("info: Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("info: Microsoft", StringComparison.Ordinal));
    }

    // Intent: Logging:LogLevel:Orleans=Information brings Orleans' information lines back.
    [Fact]
    public async Task Silo_OrleansLevelConfigured_PrintsOrleansInformation()
    {
        var lines = await StartupLinesAsync("--Logging:LogLevel:Orleans=Information");

        Assert.Contains(lines, l => l.StartsWith("info: Orleans", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>Starts a node as a process and returns its stdout up to the Kafka listener's start line (Orka's last), then stops it.</summary>
    private async Task<List<string>> StartupLinesAsync(params string[] extraArgs)
    {
        var ports = FreePorts.Take(2);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            BuildOutput.Of("Orka.Silo", "Orka.Silo.dll"),
            $"--Orka:DataDirectory={Path.Combine(_data, "node-0")}",
            $"--Orleans:Endpoints:SiloPort={ports[0]}",
            $"--Orleans:Endpoints:GatewayPort={ports[1]}",
            $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{ports[0]}",
            "--urls=http://127.0.0.1:0",
            "--Orka:Kafka:Port=0",
        }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var lines = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                started.TrySetException(new InvalidOperationException($"The silo exited before its Kafka listener started; it printed:\n{string.Join("\n", Snapshot(lines))}"));
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.Contains("Kafka listener of node", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(StartBound);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return Snapshot(lines);
    }

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }
}
