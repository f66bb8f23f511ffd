using Microsoft.Extensions.Logging;

namespace Orka.Storage;

/// <summary>
/// Watches the process's open file descriptors against its limit (RLIMIT_NOFILE, read from
/// <c>/proc/self/limits</c>), so a node says in its log that it is getting close before the
/// runtime starts failing (past the limit even the JIT cannot map memory and the process aborts
/// with "Out of memory."). Linux only: elsewhere <see cref="SoftLimit"/> is null and nothing is checked.
/// </summary>
/// <remarks>
/// A check lists <c>/proc/self/fd</c>: about a millisecond for a few thousand descriptors, which is
/// why it runs on a schedule rather than per open. A warning is logged when the count reaches
/// <see cref="WarnFraction"/> of the limit, once until it falls back below it.
/// </remarks>
public sealed class FileDescriptorLimit
{
    /// <summary>The share of the limit at which the node warns.</summary>
    public const double WarnFraction = 0.8;

    private readonly ILogger _logger;
    private bool _warned;

    internal FileDescriptorLimit(ILogger logger)
    {
        _logger = logger;
        SoftLimit = ReadSoftLimit();
    }

    /// <summary>The process's soft limit on open files, or null when unknown (not Linux, or unlimited).</summary>
    public long? SoftLimit { get; }

    /// <summary>How many descriptors the process has open now, or null when it cannot tell.</summary>
    public static int? CountOpen()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.GetFiles("/proc/self/fd").Length : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Warns at open when the segment handle budget alone would take more than half the limit.</summary>
    internal void CheckBudget(int maxOpenSegmentFiles)
    {
        if (SoftLimit is { } limit && maxOpenSegmentFiles > limit / 2)
        {
            _logger.LogWarning(
                "MaxOpenSegmentFiles is {Budget} but the process may open only {Limit} files (ulimit -n); connections and the runtime need the rest. Lower Orka:Storage:MaxOpenSegmentFiles or raise the limit",
                maxOpenSegmentFiles, limit);
        }
    }

    /// <summary>Counts the open descriptors and logs when they cross <see cref="WarnFraction"/> of the limit (and when they fall back).</summary>
    public void Check()
    {
        if (SoftLimit is not { } limit || CountOpen() is not { } open)
        {
            return;
        }

        var high = open >= limit * WarnFraction;
        if (high && !_warned)
        {
            _logger.LogWarning("{Open} of {Limit} file descriptors are open (ulimit -n); at the limit new connections and files fail", open, limit);
        }
        else if (!high && _warned)
        {
            _logger.LogInformation("{Open} of {Limit} file descriptors are open, below {Percent}% again", open, limit, WarnFraction * 100);
        }

        _warned = high;
    }

    private static long? ReadSoftLimit()
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            // "Max open files            1048576              1048576              files"
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], out var soft) ? soft : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
