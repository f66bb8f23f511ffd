using System.Diagnostics;
using Orka.Telemetry;

namespace Orka.Broker.Telemetry;

/// <summary>What the partition and group span helpers share: the parent of a span started inside a grain call.</summary>
internal static class GrainSpans
{
    // The W3C trace context Orleans' activity propagation puts in the RequestContext.
    private const string TraceParentKey = "traceparent";
    private const string TraceStateKey = "tracestate";

    /// <summary>
    /// Starts a span under the current activity (Orleans' incoming call span when its source is
    /// listened to), else under the caller's context carried in the RequestContext, so an Orka span
    /// joins the caller's trace even when nobody records Orleans' own spans.
    /// </summary>
    public static Activity? Start(string name, DateTimeOffset startTime = default)
    {
        var parent = Activity.Current?.Context ?? CallerContext();
        return OrkaActivitySource.Instance.StartActivity(name, ActivityKind.Internal, parent, startTime: startTime);
    }

    /// <summary>Runs the call inside <paramref name="activity"/>, marking it failed if the call throws.</summary>
    public static async Task InvokeAsync(IIncomingGrainCallContext context, Activity? activity)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e)
        {
            OrkaActivitySource.Fail(activity, e);
            throw;
        }
    }

    private static ActivityContext CallerContext() =>
        RequestContext.Get(TraceParentKey) is string traceParent
            && ActivityContext.TryParse(traceParent, RequestContext.Get(TraceStateKey) as string, out var context)
            ? context
            : default;
}
