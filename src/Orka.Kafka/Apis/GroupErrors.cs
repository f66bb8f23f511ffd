namespace Orka.Kafka.Apis;

/// <summary>Group id checks shared by the group APIs: Kafka answers INVALID_GROUP_ID for a bad id before touching the group.</summary>
internal static class GroupErrors
{
    public static bool IsValidGroupId(string groupId)
    {
        try
        {
            Names.ValidateGroupId(groupId);
            return true;
        }
        catch (OrkaException)
        {
            return false;
        }
    }
}
