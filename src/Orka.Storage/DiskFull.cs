namespace Orka.Storage;

/// <summary>Recognises "no space left on device" among the I/O errors the runtime raises.</summary>
internal static class DiskFull
{
    // The runtime puts the raw errno into IOException.HResult on Unix (ENOSPC 28, EDQUOT 122 on
    // Linux, 69 on macOS) and the Win32 error as an HRESULT on Windows (ERROR_HANDLE_DISK_FULL 39,
    // ERROR_DISK_FULL 112).
    private const int Enospc = 28;
    private const int EdquotLinux = 122;
    private const int EdquotMac = 69;
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);
    private const int ErrorDiskFull = unchecked((int)0x80070070);

    /// <summary>Whether <paramref name="e"/> (or an exception it wraps) says the disk or the quota is full.</summary>
    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: var code } && (OperatingSystem.IsWindows()
                    ? code is ErrorHandleDiskFull or ErrorDiskFull
                    : code == Enospc || code == (OperatingSystem.IsMacOS() ? EdquotMac : EdquotLinux)))
            {
                return true;
            }
        }

        return false;
    }
}
