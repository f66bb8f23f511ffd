using System.Diagnostics;

namespace Orka.Tests;

/// <summary>
/// A real, small file system (tmpfs of a given size) mounted on a fresh temp directory, so tests can
/// fill a disk for real: writes fail with ENOSPC exactly as on a full data disk. Needs root (or
/// CAP_SYS_ADMIN), as CI and the dev container run; without it the constructor throws with the
/// reason. Unmounted and removed on dispose.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    public SmallFileSystem(int sizeKiB)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orka-small-fs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeKiB}k", "tmpfs", Path);
        if (code != 0)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException($"Cannot mount a {sizeKiB} KiB tmpfs on {Path} (the disk-full tests need root): {output}");
        }
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Fills the file system with a file <c>filler</c> until a write fails for lack of space; returns its path.</summary>
    public string Fill()
    {
        var path = System.IO.Path.Combine(Path, "filler");
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // full
        }

        return path;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
