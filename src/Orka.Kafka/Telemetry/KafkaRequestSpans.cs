using System.Diagnostics;
using Orka.Kafka.Protocol;
using Orka.Telemetry;

namespace Orka.Kafka.Telemetry;

/// <summary>
/// The Kafka listener's span: <c>kafka {Api}</c> (kind Server), one per request from its header to
/// its response, tagged <c>kafka.api</c>, <c>kafka.api_version</c>, <c>kafka.client_id</c> and
/// <c>kafka.correlation_id</c>. The grain calls the request makes run under it.
/// </summary>
internal static class KafkaRequestSpans
{
    /// <summary>Starts the span of one request, or returns null when nobody listens.</summary>
    public static Activity? Start(RequestHeader header)
    {
        if (!OrkaActivitySource.Instance.HasListeners())
        {
            return null;
        }

        // A root span: a connection's requests are separate operations, whatever is current here.
        var previous = Activity.Current;
        Activity.Current = null;
        var activity = OrkaActivitySource.Instance.StartActivity($"kafka {header.ApiKey}", ActivityKind.Server);
        if (activity is null)
        {
            Activity.Current = previous;
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("kafka.api", header.ApiKey.ToString());
            activity.SetTag("kafka.api_version", header.ApiVersion);
            activity.SetTag("kafka.client_id", header.ClientId);
            activity.SetTag("kafka.correlation_id", header.CorrelationId);
        }

        return activity;
    }

    /// <summary>Ends the span when the request's response is ready (now, or when <paramref name="response"/> completes).</summary>
    public static void EndWith<T>(Activity? activity, Task<T> response)
    {
        if (activity is null)
        {
            return;
        }

        if (response.IsCompleted)
        {
            End(activity, response);
        }
        else
        {
            _ = response.ContinueWith(static (task, state) => End((Activity)state!, task), activity, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Ends the span of a request that failed before it had a response.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        OrkaActivitySource.Fail(activity, error);
        activity?.Dispose();
    }

    private static void End(Activity activity, Task task)
    {
        if (task.Exception is { } error)
        {
            OrkaActivitySource.Fail(activity, error.InnerException ?? error);
        }

        activity.Dispose();
    }
}
