using System.Text;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// Writes consumed records to standard output and tracks, per partition, the next offset after the
/// last record that has reached it: what a group may commit (what was printed, not what was fetched).
/// On a terminal every record is flushed as it is written, so output is live; into a pipe or a
/// file the output is buffered (64 KiB) and flushed by <see cref="Flush"/>, which the command calls
/// every <see cref="ConsumeCommand.FlushInterval"/> and at the end. Thread-safe: the consume loop
/// writes while a timer flushes and reads the printed offsets.
/// </summary>
internal sealed class RecordPrinter : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _output;
    private readonly RecordFormat _format;
    private readonly bool _live;
    private readonly Dictionary<TopicPartition, long> _written = [];
    private readonly Dictionary<TopicPartition, long> _printed = [];

    public RecordPrinter(Stream output, RecordFormat format, bool live)
    {
        _output = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        _format = format;
        _live = live;
    }

    public long Count { get; private set; }

    public void Write(ConsumeResult record)
    {
        lock (_lock)
        {
            _format.Write(record, _output);
            _written[record.Partition] = record.Offset + 1;
            Count++;
            if (_live)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Flushes the output; what was written so far counts as printed.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            FlushLocked();
        }
    }

    /// <summary>The next offset after the last printed record, per partition.</summary>
    public IReadOnlyList<CommittedOffset> Printed()
    {
        lock (_lock)
        {
            return [.. _printed.Select(p => new CommittedOffset(p.Key, p.Value))];
        }
    }

    private void FlushLocked()
    {
        _output.Flush();
        foreach (var (partition, next) in _written)
        {
            _printed[partition] = next;
        }
    }

    public void Dispose()
    {
        try
        {
            Flush();
            _output.Dispose();
        }
        catch (IOException)
        {
            // The reader of a pipe has gone (e.g. `| head`): nothing more can be printed.
        }
    }
}
