using System.Diagnostics;

namespace Orka.Telemetry;

/// <summary>
/// The <c>Orka</c> <see cref="ActivitySource"/>: spans of the native producer, the partition and
/// group grains and the Kafka listener (docs/architecture.md, "Telemetry", lists them and their
/// tags). OpenTelemetry's <c>AddSource("Orka")</c> (ServiceDefaults) exports them.
/// </summary>
/// <remarks>
/// With nobody listening <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns
/// null after one check of a volatile list; every span helper tests that first and computes its
/// tags only for a span that exists, so tracing costs nothing measurable when it is off.
/// </remarks>
public static class OrkaActivitySource
{
    /// <summary>The source name, as given to <c>AddSource</c> or matched by an <see cref="ActivityListener"/>.</summary>
    public const string Name = "Orka";

    /// <summary>The one source every Orka assembly starts its spans from.</summary>
    public static ActivitySource Instance { get; } = new(Name);

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>: status Error, <c>orka.error_code</c> for Orka errors, and an exception event.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        if (error is OrkaException orka)
        {
            activity.SetTag("orka.error_code", orka.Code.ToString());
        }

        activity.AddException(error);
    }
}
