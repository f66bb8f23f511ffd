namespace Orka.PerfSuite;

/// <summary>
/// Every case starts with no dirty pages left by the one before: <c>sync</c> waits until the page
/// cache has written them back. Without it, a case ran while the kernel was still writing back the
/// previous case's gigabyte (and throttling writers for it), so its figure depended on what ran
/// before it.
/// </summary>
internal static class Disk
{
    public static async Task SettleAsync()
    {
        var (code, output) = await ChildProcess.RunAsync("sync", [], TimeSpan.FromMinutes(2));
        if (code != 0)
        {
            throw new InvalidOperationException($"sync exited {code}: {output}");
        }
    }
}
