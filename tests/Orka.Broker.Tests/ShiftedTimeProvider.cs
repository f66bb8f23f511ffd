namespace Orka.Broker.Tests;

/// <summary>
/// The system clock moved forward by <see cref="Shift"/> for wall-clock time only; timestamps and
/// timers stay real, so sessions and rebalances behave normally while offsets can age by days.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _shiftTicks;

    public TimeSpan Shift => TimeSpan.FromTicks(Interlocked.Read(ref _shiftTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}
