namespace Orka;

/// <summary>
/// Validation of user-supplied names. Runs before a name reaches a grain key or the file system.
/// </summary>
public static class Names
{
    /// <summary>Kafka's limit on topic name length.</summary>
    public const int MaxTopicNameLength = 249;

    /// <summary>Longest group id accepted (Kafka has none; a bound keeps keys and files sane).</summary>
    public const int MaxGroupIdLength = 255;

    /// <summary>Null when <paramref name="name"/> is a legal topic name, else why it is not.</summary>
    public static string? TopicNameError(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty.";
        }

        if (name.Length > MaxTopicNameLength)
        {
            return $"Topic name is {name.Length} characters long; the limit is {MaxTopicNameLength}.";
        }

        if (name is "." or "..")
        {
            return $"Topic name cannot be '{name}'.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="OrkaException"/> (InvalidTopic) unless the topic name is legal.</summary>
    public static void ValidateTopicName(string? name)
    {
        if (TopicNameError(name) is { } error)
        {
            throw new OrkaException(OrkaErrorCode.InvalidTopic, error);
        }
    }

    /// <summary>Throws <see cref="OrkaException"/> (InvalidGroupId) unless the group id is usable.</summary>
    public static void ValidateGroupId(string? groupId)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            throw new OrkaException(OrkaErrorCode.InvalidGroupId, "Group id is empty.");
        }

        if (groupId.Length > MaxGroupIdLength)
        {
            throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"Group id is {groupId.Length} characters long; the limit is {MaxGroupIdLength}.");
        }

        if (groupId.Any(char.IsControl))
        {
            throw new OrkaException(OrkaErrorCode.InvalidGroupId, "Group id contains control characters.");
        }
    }
}
