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
    /// <summary>
    /// Records read but without an outcome yet, at most. While the cluster is unreachable no outcome
    /// arrives until the call times out, so this bounds how far the command reads ahead: the rest of
    /// the input stays unread (and is not lost) rather than being read only to fail. 10,000 records
    /// keep many batches in flight, so it costs a bulk load nothing.
    /// </summary>
    public const int MaxOutstanding = 10_000;

    private readonly CancellationTokenSource _failed = new();
    private readonly SemaphoreSlim _outstanding = new(MaxOutstanding);
    private long _delivered;
    private long _failedCount;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long FailedCount => Interlocked.Read(ref _failedCount);

    /// <summary>Cancelled at the first failure.</summary>
    public CancellationToken Failed => _failed.Token;

    /// <summary>Waits until fewer than <see cref="MaxOutstanding"/> records are without an outcome; call before producing each record.</summary>
    public Task ReserveAsync(CancellationToken cancellationToken) => _outstanding.WaitAsync(cancellationToken);

    /// <summary>The producer's delivery handler: <paramref name="line"/> is the record's stdin line number.</summary>
    public void OnDelivery(DeliveryResult? result, Exception? error, long line)
    {
        _outstanding.Release();
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

    public void Dispose()
    {
        _failed.Dispose();
        _outstanding.Dispose();
    }
}
