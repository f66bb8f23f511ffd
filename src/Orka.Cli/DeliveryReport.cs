using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// The outcome of a producing command's records: counts what was delivered and reports each failure
/// on <paramref name="errors"/> as it happens, with the caller's number for the record (its stdin
/// line). <see cref="Failed"/> fires at the first failure, so the command stops reading. Thread-safe:
/// the producer calls <see cref="OnDelivery"/> from the threads that complete its batches.
/// </summary>
internal sealed class DeliveryReport(TextWriter errors) : IDisposable
{
    private readonly CancellationTokenSource _failed = new();
    private long _delivered;
    private long _failedCount;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long FailedCount => Interlocked.Read(ref _failedCount);

    /// <summary>Cancelled at the first failure.</summary>
    public CancellationToken Failed => _failed.Token;

    /// <summary>The producer's delivery handler: <paramref name="line"/> is the record's stdin line number.</summary>
    public void OnDelivery(DeliveryResult? result, Exception? error, long line)
    {
        if (error is null)
        {
            Interlocked.Increment(ref _delivered);
            return;
        }

        Interlocked.Increment(ref _failedCount);
        var why = error switch
        {
            OrkaException orka => $"{orka.Message} ({orka.Code})",
            OperationCanceledException => "interrupted before it was sent",
            _ => $"{error.GetType().Name}: {error.Message}",
        };
        errors.WriteLine($"orka: line {line}: not delivered: {why}");
        try
        {
            _failed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command has already finished.
        }
    }

    public void Dispose() => _failed.Dispose();
}
