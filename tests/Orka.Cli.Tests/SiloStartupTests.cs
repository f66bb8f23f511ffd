using Orka.Silo;

namespace Orka.Cli.Tests;

public sealed class SiloStartupTests
{
    // Intent: a node whose data directory cannot be created says so and exits non-zero.
    [Fact]
    public async Task Silo_UnusableDataDirectory_ExitsNonZero()
    {
        var blocker = Path.GetTempFileName();
        try
        {
            var ports = FreePorts.Take(2);
            var exit = await SiloHost.RunAsync(
            [
                $"--Orka:DataDirectory={Path.Combine(blocker, "node-0")}",
                $"--Orleans:Endpoints:SiloPort={ports[0]}",
                $"--Orleans:Endpoints:GatewayPort={ports[1]}",
                $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{ports[0]}",
                "--urls=http://127.0.0.1:0",
            "--Orka:Kafka:Port=0", // never Kafka's default 9092 + node id: tests run in parallel
            ]).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(1, exit);
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
