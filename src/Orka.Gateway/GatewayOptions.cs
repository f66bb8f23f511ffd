namespace Orka.Gateway;

/// <summary>The gateway's own settings, section <c>Orka:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    /// <summary>
    /// Largest request body accepted (Kestrel's limit too); larger ones are refused with 413 before
    /// anything is produced. Default 4 MiB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How often the gateway samples every topic's log end offsets and groups' committed offsets to
    /// compute records/s in and out. Each sample costs one describe call per topic.
    /// </summary>
    public TimeSpan ThroughputSampleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The window over which records/s are averaged.</summary>
    public TimeSpan ThroughputWindow { get; set; } = TimeSpan.FromSeconds(10);
}
