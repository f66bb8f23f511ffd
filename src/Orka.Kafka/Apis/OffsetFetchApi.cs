using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// OffsetFetch (key 9) v1-8: a group's committed offsets from its grain, for the partitions asked
/// or (null topics, v2+) all of them; a partition without a commit gets offset -1. v8 carries
/// several groups in one request.
/// </summary>
public sealed class OffsetFetchApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.OffsetFetch;

    public override short MinVersion => 1;

    public override short MaxVersion => 8;

    public override short FirstFlexibleVersion => 6;

    private sealed record Asked(string GroupId, List<(string Name, List<int> Partitions)>? Topics);

    private sealed record Answer(string GroupId, OrkaErrorCode Error, List<(string Name, List<(int Index, long Offset, string? Metadata)> Partitions)> Topics);

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var asked = new List<Asked>();
        if (version <= 7)
        {
            asked.Add(new Asked(request.ReadString(), ReadTopics(request)));
        }
        else
        {
            asked.AddRange(request.ReadArray(r =>
            {
                var group = new Asked(r.ReadString(), ReadTopics(r));
                r.SkipTaggedFields();
                return group;
            }));
        }

        if (version >= 7)
        {
            _ = request.ReadBool(); // require stable: there are no pending transactional offsets
        }

        request.SkipTaggedFields();

        var answers = new List<Answer>();
        foreach (var group in asked)
        {
            answers.Add(await FetchAsync(group));
        }

        if (version >= 3)
        {
            response.WriteInt32(0); // throttle
        }

        if (version <= 7)
        {
            var answer = answers[0];
            WriteTopics(response, answer, version);
            if (version >= 2)
            {
                response.WriteInt16((short)answer.Error);
            }
        }
        else
        {
            response.WriteArray(answers, (w, answer) =>
            {
                w.WriteString(answer.GroupId);
                WriteTopics(w, answer, version);
                w.WriteInt16((short)answer.Error);
                w.WriteEmptyTaggedFields();
            });
        }

        response.WriteEmptyTaggedFields();
        return true;
    }

    private static List<(string, List<int>)>? ReadTopics(KafkaReader request)
    {
        var count = request.ReadArrayLength();
        if (count < 0)
        {
            return null;
        }

        var topics = new List<(string, List<int>)>(); // not sized from the wire
        for (var i = 0; i < count; i++)
        {
            var name = request.ReadString();
            var partitions = request.ReadArray(r => r.ReadInt32());
            request.SkipTaggedFields();
            topics.Add((name, partitions));
        }

        return topics;
    }

    private static void WriteTopics(KafkaWriter w, Answer answer, short version)
    {
        w.WriteArray(answer.Topics, (wt, t) =>
        {
            wt.WriteString(t.Name);
            wt.WriteArray(t.Partitions, (wp, p) =>
            {
                wp.WriteInt32(p.Index);
                wp.WriteInt64(p.Offset);
                if (version >= 5)
                {
                    wp.WriteInt32(-1); // leader epoch
                }

                wp.WriteNullableString(p.Metadata);
                // v0-1 have no group-level error, so it goes on every partition.
                wp.WriteInt16((short)(version <= 1 ? answer.Error : OrkaErrorCode.None));
                wp.WriteEmptyTaggedFields();
            });
            wt.WriteEmptyTaggedFields();
        });
    }

    private async Task<Answer> FetchAsync(Asked group)
    {
        try
        {
            if (!GroupErrors.IsValidGroupId(group.GroupId))
            {
                throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"'{group.GroupId}' is not a valid group id.");
            }

            var committed = await context.Grains.GetGrain<IConsumerGroupGrain>(group.GroupId).GetCommittedAsync();
            var byPartition = committed.ToDictionary(c => c.Partition);
            var topics = group.Topics ?? committed.GroupBy(c => c.Partition.Topic).Select(g => (g.Key, g.Select(c => c.Partition.Partition).Order().ToList())).ToList();
            return new Answer(group.GroupId, OrkaErrorCode.None, topics.Select(t => (t.Name, t.Partitions.Select(p =>
                byPartition.TryGetValue(new TopicPartition(t.Name, p), out var c) ? (p, c.Offset, c.Metadata ?? "") : (p, -1L, (string?)"")).ToList())).ToList());
        }
        catch (Exception e)
        {
            var error = context.ErrorOf(e);
            return new Answer(group.GroupId, error, group.Topics?.Select(t => (t.Name, t.Partitions.Select(p => (p, -1L, (string?)"")).ToList())).ToList() ?? []);
        }
    }
}
