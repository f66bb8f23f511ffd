using System.Text;

namespace Orka.Storage;

/// <summary>
/// <c>partition.metadata</c> in a partition directory: which topic incarnation the data belongs to,
/// so that a directory left by a deleted topic is never mistaken for a new topic of the same name.
/// <code>
/// version: 0
/// topic_id: 9b2d6d0e-4d5f-4a3c-8a55-1f2f0c9e7b11
/// </code>
/// Written atomically before the first segment, so a directory without it has no data worth keeping.
/// </summary>
internal static class PartitionMetadataFile
{
    private const string VersionLine = "version: 0";
    private const string TopicIdPrefix = "topic_id: ";

    /// <summary>The topic id stored in <paramref name="partitionDirectory"/>, or null if the file is missing or unreadable.</summary>
    public static Guid? Read(string partitionDirectory)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(partitionDirectory, LogFileNames.PartitionMetadata), Encoding.UTF8);
            return lines.Length == 2 && lines[0] == VersionLine && lines[1].StartsWith(TopicIdPrefix, StringComparison.Ordinal)
                && Guid.TryParse(lines[1].AsSpan(TopicIdPrefix.Length), out var id)
                ? id
                : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public static void Write(string partitionDirectory, Guid topicId)
        => DurableFile.WriteAtomically(
            Path.Combine(partitionDirectory, LogFileNames.PartitionMetadata),
            Encoding.UTF8.GetBytes($"{VersionLine}\n{TopicIdPrefix}{topicId:D}\n"));
}
