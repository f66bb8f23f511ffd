namespace Orka.Broker.Groups;

/// <summary>
/// What a JoinGroup must satisfy before any group looks at it: a session timeout within
/// [<see cref="MinSessionTimeout"/>, <see cref="MaxSessionTimeout"/>] (INVALID_SESSION_TIMEOUT), a
/// protocol type and at least one protocol, each named and named once (INCONSISTENT_GROUP_PROTOCOL).
/// </summary>
internal static class JoinRequestValidator
{
    /// <summary>Bounds on a member's session timeout (Kafka's broker defaults are 6 s to 30 min; tests need less).</summary>
    public static readonly TimeSpan MinSessionTimeout = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxSessionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The checks of a join that need no group state: session timeout bounds, protocols present and distinct.</summary>
    public static void Validate(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SessionTimeout < MinSessionTimeout || request.SessionTimeout > MaxSessionTimeout)
        {
            throw new OrkaException(OrkaErrorCode.InvalidSessionTimeout, $"Session timeout {request.SessionTimeout} is outside [{MinSessionTimeout}, {MaxSessionTimeout}].");
        }

        if (string.IsNullOrEmpty(request.ProtocolType) || request.Protocols.IsDefaultOrEmpty ||
            request.Protocols.Any(p => string.IsNullOrEmpty(p.Name)) ||
            request.Protocols.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != request.Protocols.Length)
        {
            throw new OrkaException(OrkaErrorCode.InconsistentGroupProtocol, "A join needs a protocol type and at least one protocol, each with a distinct name.");
        }
    }
}
