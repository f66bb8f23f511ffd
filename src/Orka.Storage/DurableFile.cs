using System.Runtime.InteropServices;

namespace Orka.Storage;

/// <summary>
/// The two durability primitives the engine needs beyond fsync of a data file: writing a small
/// file atomically (temp file, fsync, rename, fsync of the directory) and fsyncing a directory so
/// that a file creation, rename or deletion survives a power loss.
/// </summary>
/// <remarks>
/// .NET cannot open a directory as a file, so on Linux and macOS the directory fsync goes through
/// libc. On Windows it is skipped: NTFS journals its metadata, and there is no portable way to do it.
/// </remarks>
internal static class DurableFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> so that after a crash the file
    /// holds either the old or the new content, never a mix.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + LogFileNames.TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Fsyncs a directory's entries (creations, renames, deletions in it).</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Native.open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Native.fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.close(fd);
        }
    }

    private static class Native
    {
#pragma warning disable SYSLIB1054 // LibraryImport's generated code needs unsafe blocks, which this project keeps off.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
