using System.Runtime.InteropServices;

namespace Orka.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for the whole process: the first one cancels <see cref="Token"/>, which
/// every command passes down, so the command stops reading, finishes what it must (flush, commit,
/// leave its group, report) and returns; <see cref="ExitCode"/> is then what shells expect (130,
/// 143). A second signal is not handled: the runtime's default ends the process at once, for a
/// command stuck on an unreachable cluster.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public TerminationSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>128 + the signal's number once one arrived (130 SIGINT, 143 SIGTERM); null before.</summary>
    public int? ExitCode => Volatile.Read(ref _signal) switch
    {
        0 => null,
        (int)PosixSignal.SIGTERM => 143,
        _ => 130,
    };

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) != 0)
        {
            return; // the second signal: the default action ends the process
        }

        context.Cancel = true;
        _cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }
}
