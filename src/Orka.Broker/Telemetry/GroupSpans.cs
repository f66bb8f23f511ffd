using System.Collections.Immutable;
using Orka.Telemetry;

namespace Orka.Broker.Telemetry;

/// <summary>
/// The group grain's spans, tagged with <c>orka.group</c>: <c>orka.group.join</c> (member id,
/// protocol type; the generation and member id it answered), <c>orka.group.sync</c> (member id,
/// generation), <c>orka.group.commit</c> (member id, generation, offsets) and
/// <c>orka.group.heartbeat</c>, which is recorded only when a heartbeat fails (a healthy group
/// heartbeats every few seconds per member: those spans would say nothing).
/// </summary>
internal static class GroupSpans
{
    public static async Task InvokeAsync(IIncomingGrainCallContext context, TimeProvider time)
    {
        switch (context.MethodName)
        {
            case nameof(IConsumerGroupGrain.HeartbeatAsync):
                await HeartbeatAsync(context, time);
                return;
            case nameof(IConsumerGroupGrain.JoinAsync):
            case nameof(IConsumerGroupGrain.SyncAsync):
            case nameof(IConsumerGroupGrain.CommitAsync):
                break;
            default:
                await context.Invoke();
                return;
        }

        var request = context.Request;
        using var activity = GrainSpans.Start(context.MethodName switch
        {
            nameof(IConsumerGroupGrain.JoinAsync) => "orka.group.join",
            nameof(IConsumerGroupGrain.SyncAsync) => "orka.group.sync",
            _ => "orka.group.commit",
        });
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("orka.group", context.TargetId.Key.ToString());
            switch (request.GetArgument(0))
            {
                case JoinGroupRequest join:
                    activity.SetTag("orka.member_id", join.MemberId);
                    activity.SetTag("orka.protocol_type", join.ProtocolType);
                    break;
                case SyncGroupRequest sync:
                    activity.SetTag("orka.member_id", sync.MemberId);
                    activity.SetTag("orka.generation", sync.GenerationId);
                    break;
                case int generation:
                    activity.SetTag("orka.generation", generation);
                    activity.SetTag("orka.member_id", request.GetArgument(1));
                    activity.SetTag("orka.offsets", ((ImmutableArray<CommittedOffset>)request.GetArgument(2)!).Length);
                    break;
                case ImmutableArray<CommittedOffset> offsets:
                    activity.SetTag("orka.offsets", offsets.Length);
                    break;
            }
        }

        await GrainSpans.InvokeAsync(context, activity);
        if (activity is { IsAllDataRequested: true } && context.Result is JoinGroupResult joined)
        {
            activity.SetTag("orka.member_id", joined.MemberId);
            activity.SetTag("orka.generation", joined.GenerationId);
        }
    }

    private static async Task HeartbeatAsync(IIncomingGrainCallContext context, TimeProvider time)
    {
        var started = time.GetUtcNow();
        try
        {
            await context.Invoke();
        }
        catch (Exception e)
        {
            // Recorded after the fact, with the call's start time: only failures get a span.
            using var activity = GrainSpans.Start("orka.group.heartbeat", started);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("orka.group", context.TargetId.Key.ToString());
                activity.SetTag("orka.generation", context.Request.GetArgument(0));
                activity.SetTag("orka.member_id", context.Request.GetArgument(1));
            }

            OrkaActivitySource.Fail(activity, e);
            throw;
        }
    }
}
