using System.Text;

namespace Orka.Cli.Output;

/// <summary>Columns of text aligned with two spaces between them, a header row first, as rpk prints them.</summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<string[]> _rows = [header];

    public TextTable Add(params object?[] cells)
    {
        _rows.Add([.. cells.Select(c => c?.ToString() ?? "-")]);
        return this;
    }

    /// <summary>The table, each line starting with <paramref name="indent"/>.</summary>
    public string ToString(string indent)
    {
        var widths = new int[_rows.Max(r => r.Length)];
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in _rows)
        {
            text.Append(indent);
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    public override string ToString() => ToString("");
}
