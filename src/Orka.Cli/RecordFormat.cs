using System.Globalization;
using System.Text;
using System.Text.Json;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// How <c>orka consume</c> prints a record. The default is the value and a newline (<c>--print-key</c>:
/// key, tab, value). <c>--format json</c> prints one JSON object per line: topic, partition, offset,
/// timestamp (ms since the epoch), key, value (UTF-8 text; null for a null key or value) and headers
/// (an object of UTF-8 values). Any other <c>--format</c> is a template, as kcat's and rpk's, printed
/// as is for each record (so it ends with <c>\n</c> to print lines): <c>%T</c> topic, <c>%k</c> key,
/// <c>%v</c> value, <c>%p</c> partition, <c>%o</c> offset, <c>%t</c> timestamp (ms since the epoch),
/// <c>%h</c> headers (<c>k=v</c> joined by commas), <c>%%</c> a percent sign; escapes <c>\n</c>,
/// <c>\t</c>, <c>\r</c>, <c>\\</c>.
/// </summary>
internal sealed class RecordFormat
{
    /// <summary>The help text of <c>--format</c>.</summary>
    public const string Help = "How to print each record: json (one object per line: topic, partition, offset, timestamp, key, value, headers) " +
        "or a template with %T topic, %k key, %v value, %p partition, %o offset, %t timestamp (ms), %h headers (k=v,…), %% and escapes \\n \\t \\r \\\\ (nothing added: end it with \\n)";

    private readonly Action<ConsumeResult, TextWriter> _write;

    private RecordFormat(Action<ConsumeResult, TextWriter> write) => _write = write;

    public void Write(ConsumeResult record, TextWriter output) => _write(record, output);

    /// <summary>The format for the command line's options; <see cref="ArgumentException"/> for a bad template.</summary>
    public static RecordFormat Parse(string? format, bool printKey)
    {
        if (format is null)
        {
            return printKey
                ? new RecordFormat((r, o) => o.Write($"{Text(r.Key)}\t{Text(r.Value)}\n"))
                : new RecordFormat((r, o) => o.Write($"{Text(r.Value)}\n"));
        }

        if (printKey)
        {
            throw new ArgumentException("Give --print-key or --format, not both.");
        }

        return format == "json" ? new RecordFormat(WriteJson) : Template(format);
    }

    private static RecordFormat Template(string format)
    {
        if (format.Length == 0)
        {
            throw new ArgumentException("--format must not be empty.");
        }

        // Compiled once into literal pieces and fields.
        var parts = new List<Func<ConsumeResult, string>>();
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c is not ('%' or '\\'))
            {
                literal.Append(c);
                continue;
            }

            if (i + 1 == format.Length)
            {
                throw new ArgumentException($"--format ends with a lone '{c}'; write {c}{c} for the character itself.");
            }

            var next = format[++i];
            string? escaped = (c, next) switch
            {
                ('%', '%') => "%",
                ('\\', 'n') => "\n",
                ('\\', 't') => "\t",
                ('\\', 'r') => "\r",
                ('\\', '\\') => "\\",
                _ => null,
            };
            if (escaped is not null)
            {
                literal.Append(escaped);
                continue;
            }

            Func<ConsumeResult, string> field = (c, next) switch
            {
                ('%', 'T') => r => r.Partition.Topic,
                ('%', 'k') => r => Text(r.Key),
                ('%', 'v') => r => Text(r.Value),
                ('%', 'p') => r => r.Partition.Partition.ToString(CultureInfo.InvariantCulture),
                ('%', 'o') => r => r.Offset.ToString(CultureInfo.InvariantCulture),
                ('%', 't') => r => r.Timestamp.ToString(CultureInfo.InvariantCulture),
                ('%', 'h') => r => string.Join(",", r.Headers.Select(h => $"{h.Key}={Text(h.Value)}")),
                _ => throw new ArgumentException($"--format has an unknown placeholder or escape '{c}{next}' (known: %T %k %v %p %o %t %h %% \\n \\t \\r \\\\)."),
            };
            Flush();
            parts.Add(field);
        }

        Flush();
        return new RecordFormat((r, o) =>
        {
            foreach (var part in parts)
            {
                o.Write(part(r));
            }
        });

        void Flush()
        {
            if (literal.Length > 0)
            {
                var text = literal.ToString();
                parts.Add(_ => text);
                literal.Clear();
            }
        }
    }

    private static void WriteJson(ConsumeResult record, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("topic", record.Partition.Topic);
            json.WriteNumber("partition", record.Partition.Partition);
            json.WriteNumber("offset", record.Offset);
            json.WriteNumber("timestamp", record.Timestamp);
            WriteText(json, "key", record.Key);
            WriteText(json, "value", record.Value);
            json.WriteStartObject("headers");
            foreach (var header in record.Headers)
            {
                WriteText(json, header.Key, header.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write('\n');
    }

    private static void WriteText(Utf8JsonWriter json, string name, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is { } b)
        {
            json.WriteString(name, Encoding.UTF8.GetString(b.Span));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : "null";
}
