using System.Text;

namespace Orka.AppHost.Tests;

/// <summary>
/// Tees <see cref="Console.Out"/> (which the AppHost's start-up lines go to) into a line list a test
/// can await. Console.Out is process-wide: this assembly has a single test.
/// </summary>
internal sealed class ConsoleCapture : TextWriter
{
    private readonly TextWriter _original = Console.Out;
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];
    private readonly object _lock = new();

    public ConsoleCapture() => Console.SetOut(TextWriter.Synchronized(this));

    public override Encoding Encoding => _original.Encoding;

    public override void Write(char value)
    {
        _original.Write(value);
        lock (_lock)
        {
            if (value == '\n')
            {
                _lines.Add(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    /// <summary>The first line (already written or still to come) that <paramref name="match"/> accepts.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    throw new TimeoutException($"No matching line was printed; the last lines were:\n{string.Join("\n", _lines.TakeLast(20))}");
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Console.SetOut(_original);
        }

        base.Dispose(disposing);
    }
}
