using System.Diagnostics;

namespace Orka.Cli.Tests;

/// <summary>A real Orka node as a child process (the silo's own build output), killable with SIGKILL.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process) => _process = process;

    public static SiloProcess Start(string dataDirectory, int siloPort, int gatewayPort) =>
        Start(dataDirectory, siloPort, gatewayPort, nodeId: 0, primarySiloPort: siloPort, metadataDirectory: null);

    /// <summary>Node <paramref name="nodeId"/> of a cluster whose primary silo listens on <paramref name="primarySiloPort"/>; nodes of one cluster share <paramref name="metadataDirectory"/>.</summary>
    public static SiloProcess Start(string dataDirectory, int siloPort, int gatewayPort, int nodeId, int primarySiloPort, string? metadataDirectory)
    {
        var dll = BuildOutput.Of("Orka.Silo", "Orka.Silo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll,
            $"--Orka:NodeId={nodeId}",
            $"--Orka:DataDirectory={dataDirectory}",
            $"--Orleans:Endpoints:SiloPort={siloPort}",
            $"--Orleans:Endpoints:GatewayPort={gatewayPort}",
            $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{primarySiloPort}",
            "--urls=http://127.0.0.1:0",
            "--Orka:Kafka:Port=0", // never Kafka's default 9092 + node id: tests run in parallel
            "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        if (metadataDirectory is not null)
        {
            start.ArgumentList.Add($"--Orka:MetadataDirectory={metadataDirectory}");
        }

        var process = Process.Start(start)!;

        // Drain the pipes so a chatty silo never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SiloProcess(process);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}
