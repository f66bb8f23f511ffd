namespace Orka.Broker.Telemetry;

/// <summary>Tracing of an Orka node: trace context across grain calls, and the <c>Orka</c> grain spans.</summary>
public static class OrkaTracingExtensions
{
    /// <summary>
    /// Adds Orleans' activity propagation (a caller's trace continues in the grain it calls) and
    /// <see cref="OrkaSpanFilter"/>. Orka's filter is one listener check per call while nobody
    /// listens; Orleans' filters run per grain call (not per record) either way.
    /// </summary>
    public static ISiloBuilder AddOrkaTracing(this ISiloBuilder builder)
    {
        builder.AddActivityPropagation();
        builder.AddIncomingGrainCallFilter<OrkaSpanFilter>();
        return builder;
    }
}
