namespace Orka.Kafka.Tests;

/// <summary>Awaits a condition with a deadline; fails with a message that says what was awaited.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for: {what}");
            }

            await Task.Delay(50);
        }
    }
}
