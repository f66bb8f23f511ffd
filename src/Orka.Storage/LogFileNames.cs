using System.Globalization;

namespace Orka.Storage;

/// <summary>
/// Every file and directory name the storage engine uses, in one place (see <c>FORMAT.md</c>).
/// A data directory holds one directory per partition, <c>{topic}-{partition}</c>, plus the
/// node-wide checkpoints; a partition directory holds segments named by their base offset,
/// zero-padded to 20 digits so that name order is offset order.
/// </summary>
internal static class LogFileNames
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";

    /// <summary>Suffix of a file or directory renamed on its way to deletion; anything with it is garbage at startup.</summary>
    public const string DeletedSuffix = ".deleted";

    /// <summary>Suffix of a file being written before its atomic rename; anything with it is garbage at startup.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Suffix of a segment file the log cleaner is still writing; garbage at startup (the cleaning is rolled back).</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>Suffix of a cleaned segment file that is to replace the segments it covers; startup finishes the swap.</summary>
    public const string SwapSuffix = ".swap";

    public const string PartitionMetadata = "partition.metadata";
    public const string RecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpoint = "log-start-offset-checkpoint";
    public const string LeaderEpochCheckpoint = "leader-epoch-checkpoint";
    public const string CleanShutdownMarker = ".clean-shutdown";
    public const string LockFile = ".lock";

    /// <summary>Kafka's limit: longer names break the file name length limit once a partition suffix is added.</summary>
    public const int MaxTopicLength = 249;

    public static string SegmentFile(long baseOffset) => Format(baseOffset) + LogExtension;

    public static string IndexFile(long baseOffset) => Format(baseOffset) + IndexExtension;

    public static string TimeIndexFile(long baseOffset) => Format(baseOffset) + TimeIndexExtension;

    /// <summary>The base offset of a segment file name such as <c>00000000000000001000.log</c>.</summary>
    public static bool TryParseBaseOffset(string fileName, string extension, out long baseOffset)
    {
        baseOffset = -1;
        return fileName.Length == 20 + extension.Length
            && fileName.EndsWith(extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>
    /// Checks a topic name against Kafka's rules: 1-249 characters of ASCII letters, digits,
    /// '.', '_' and '-', and not "." or "..". This is what makes a topic name safe as a path part.
    /// </summary>
    public static void ValidateTopic(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Length is 0 or > MaxTopicLength)
        {
            throw InvalidName($"Topic name must be 1 to {MaxTopicLength} characters long; got {topic.Length}.");
        }

        if (topic is "." or "..")
        {
            throw InvalidName($"Topic name cannot be \"{topic}\".");
        }

        foreach (var c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw InvalidName($"Topic name \"{topic}\" has an illegal character; allowed are ASCII letters, digits, '.', '_' and '-'.");
            }
        }
    }

    public static string PartitionDirectory(string topic, int partition)
    {
        ValidateTopic(topic);
        if (partition < 0)
        {
            throw InvalidName($"Partition must be >= 0; got {partition}.");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{topic}-{partition}");
    }

    /// <summary>
    /// The full path of a partition's directory, checked to be a direct child of
    /// <paramref name="dataDirectory"/> (which must already be a full path).
    /// </summary>
    public static string PartitionPath(string dataDirectory, string topic, int partition)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, PartitionDirectory(topic, partition)));
        if (!string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(dataDirectory), StringComparison.Ordinal))
        {
            throw InvalidName($"Partition directory for \"{topic}\"-{partition} would fall outside the data directory.");
        }

        return path;
    }

    /// <summary>Parses a directory name back to its topic and partition; false for anything else (deleted, temp, foreign).</summary>
    public static bool TryParsePartitionDirectory(string name, out string topic, out int partition)
    {
        topic = "";
        partition = -1;
        var dash = name.LastIndexOf('-');
        if (dash <= 0
            || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out partition))
        {
            return false;
        }

        topic = name[..dash];
        try
        {
            ValidateTopic(topic);
        }
        catch (StorageException)
        {
            return false;
        }

        // Reject non-canonical spellings such as "t-007" so that parse and format are inverses.
        return string.Equals(PartitionDirectory(topic, partition), name, StringComparison.Ordinal);
    }

    private static string Format(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);

    private static StorageException InvalidName(string message) => new(StorageErrorKind.InvalidName, message);
}
