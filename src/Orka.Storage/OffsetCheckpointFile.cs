using System.Globalization;
using System.Text;

namespace Orka.Storage;

/// <summary>
/// A node-wide file mapping each partition to an offset: the recovery point (every offset below it
/// was fsynced) or the log start offset. Text, in Kafka's checkpoint layout:
/// <code>
/// 0                  version
/// 2                  number of entries
/// orders 0 1200      topic partition offset (one line per entry)
/// orders 1 877
/// </code>
/// Written with <see cref="DurableFile.WriteAtomically"/>, so a reader sees an old or a new file,
/// never a torn one. A file that does not parse is treated as absent, which is always safe: the
/// log then recovers from its first segment or keeps its first segment's base offset.
/// </summary>
internal static class OffsetCheckpointFile
{
    private const int Version = 0;

    public static Dictionary<(string Topic, int Partition), long>? Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, Encoding.UTF8);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (lines.Length < 2
            || lines[0] != Version.ToString(CultureInfo.InvariantCulture)
            || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || lines.Length != count + 2)
        {
            return null;
        }

        var entries = new Dictionary<(string, int), long>(count);
        foreach (var line in lines.AsSpan(2))
        {
            var parts = line.Split(' ');
            if (parts.Length != 3
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return null;
            }

            entries[(parts[0], partition)] = offset;
        }

        return entries;
    }

    public static void Write(string path, IReadOnlyDictionary<(string Topic, int Partition), long> entries)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Version}\n{entries.Count}\n");
        foreach (var ((topic, partition), offset) in entries.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition))
        {
            text.Append(CultureInfo.InvariantCulture, $"{topic} {partition} {offset}\n");
        }

        DurableFile.WriteAtomically(path, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
