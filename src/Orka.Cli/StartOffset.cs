using System.Globalization;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// Where <c>orka consume --offset</c> starts each partition: an offset, <c>start</c>, <c>end</c>, a time
/// (<c>@</c> and milliseconds since the epoch or an ISO 8601 timestamp) or a time relative to now
/// (<c>-1h</c>, <c>-15m</c>, <c>-30s</c>, <c>-2d</c>: the records from that long ago). A time starts
/// at each partition's first record at or after it, or at its end when there is none.
/// </summary>
internal sealed record StartOffset(long? Offset, long? Timestamp)
{
    /// <summary><see cref="ArgumentException"/> for a value that is none of the forms.</summary>
    public static StartOffset Parse(string text, TimeProvider time)
    {
        switch (text)
        {
            case "start" or "beginning" or "earliest":
                return new StartOffset(null, OffsetSpec.Earliest);
            case "end" or "latest":
                return new StartOffset(null, OffsetSpec.Latest);
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return new StartOffset(offset, null);
        }

        if (text.StartsWith('@'))
        {
            var at = text[1..];
            if (long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                return new StartOffset(null, ms);
            }

            if (DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                return new StartOffset(null, when.ToUnixTimeMilliseconds());
            }
        }
        else if (text.Length >= 3 && text[0] == '-' &&
            long.TryParse(text.AsSpan(1, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? ago = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (ago is { } span)
            {
                return new StartOffset(null, (time.GetUtcNow() - span).ToUnixTimeMilliseconds());
            }
        }

        throw new ArgumentException(
            $"--offset must be an offset, start, end, @<ms since the epoch or ISO timestamp> or -<N>s|m|h|d; got '{text}'.");
    }

    /// <summary>Seeks every assigned partition of <paramref name="topic"/> to this start.</summary>
    public async Task SeekAsync(OrkaConsumer consumer, OrkaAdmin admin, string topic)
    {
        var assigned = consumer.Assignment;
        if (Offset is { } offset)
        {
            foreach (var tp in assigned)
            {
                consumer.Seek(tp, offset);
            }

            return;
        }

        // Only the assigned partitions: one whose node is down must not fail a read of the others.
        var partitions = assigned.Where(tp => tp.Topic == topic).Select(tp => tp.Partition).ToList();
        var offsets = (await admin.ListOffsetsAsync(topic, partitions, Timestamp!.Value)).ToDictionary(o => o.Partition, o => o.Offset);
        var ends = Timestamp is OffsetSpec.Latest ? offsets : (await admin.ListOffsetsAsync(topic, partitions, OffsetSpec.Latest)).ToDictionary(o => o.Partition, o => o.Offset);
        foreach (var tp in assigned)
        {
            consumer.Seek(tp, offsets[tp.Partition] is >= 0 and var at ? at : ends[tp.Partition]);
        }
    }
}
