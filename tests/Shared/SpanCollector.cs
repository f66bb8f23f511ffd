using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orka.Tests;

/// <summary>
/// Records every span that ends in this process while it lives (every source, so that Orleans' own
/// call spans between Orka's are there too). Other tests run in parallel: look spans up by a tag
/// value only this test uses.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public SpanCollector()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    /// <summary>Whether <paramref name="span"/> is <paramref name="ancestor"/> or lies beneath it in the recorded spans.</summary>
    public bool IsUnder(Activity span, Activity ancestor)
    {
        var bySpanId = Spans.Where(s => s.TraceId == ancestor.TraceId).ToDictionary(s => s.SpanId);
        for (var current = span; current is not null; current = bySpanId.GetValueOrDefault(current.ParentSpanId))
        {
            if (current.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _listener.Dispose();
}
