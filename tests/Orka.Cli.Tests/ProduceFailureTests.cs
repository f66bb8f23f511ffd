using System.Globalization;
using System.Text.RegularExpressions;

namespace Orka.Cli.Tests;

/// <summary><c>orka produce</c> while its node restarts: every line is delivered or reported, none missing.</summary>
public sealed partial class ProduceFailureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-produce-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Intent: a node restart under a running `orka produce` fed continuously loses no line silently:
    // each line read is in the topic afterwards or was reported on stderr with its line number, the
    // command stops at the first failure and exits 1 with its counts.
    [Fact]
    public async Task Produce_NodeRestartsWhileFed_EveryLineDeliveredOrReported()
    {
        var ports = FreePorts.Take(2);
        var gateway = $"127.0.0.1:{ports[1]}";
        var data = Path.Combine(_root, "node-0");
        var silo = SiloProcess.Start(data, ports[0], ports[1]);
        try
        {
            // 1. The node is up with a topic; produce runs, fed a numbered line every few milliseconds.
            await UntilAsync(async () => (await OrkaCli.RunAsync(gateway, null, "topics", "create", "restart", "--partitions", "2")).ExitCode == 0, "the node to accept a topic");
            using var produce = RunningOrka.Start(gateway, "produce", "restart");
            using var feeding = new CancellationTokenSource();
            var fed = FeedAsync(produce, feeding.Token);

            // 2. Once records are arriving, SIGKILL the node and start it again on the same data.
            await UntilAsync(async () => await LogEndAsync(gateway) >= 200, "the first records in the topic");
            silo.Kill();
            silo.Dispose();
            silo = SiloProcess.Start(data, ports[0], ports[1]);
            await UntilAsync(async () => (await OrkaCli.RunAsync(gateway, null, "topics", "list")).ExitCode == 0, "the restarted node to answer");

            // 3. produce stops at its first failure; if the restart fell between two sends it keeps
            //    going, and its input ends here.
            await produce.UntilAsync(p => p.HasExited || Volatile.Read(ref _fedLines) > 0, "feeding to have started");
            await feeding.CancelAsync();
            var lastFed = await fed;
            try
            {
                produce.Stdin.Close();
            }
            catch (IOException)
            {
                // produce has already stopped reading.
            }

            var exit = await produce.ExitAsync(120);

            // 4. Read the summary and the reported lines.
            var stderr = produce.Stderr;
            var summary = Summary().Match(stderr);
            var reported = Reported().Matches(stderr).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();
            long read;
            if (summary.Success)
            {
                Assert.Equal(1, exit);
                read = long.Parse(summary.Groups[3].Value, CultureInfo.InvariantCulture);
                Assert.Equal(reported.Count, long.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture));
                Assert.NotEmpty(reported);
            }
            else
            {
                Assert.True(exit == 0, stderr);
                Assert.Empty(reported);
                read = lastFed;
                Assert.Contains($"Produced {read} records to restart.", stderr, StringComparison.Ordinal);
            }

            Assert.InRange(read, 200, lastFed);

            // 5. Every line up to the last one read is in the topic or was reported.
            var consumed = await OrkaCli.RunAsync(gateway, null, "consume", "restart", "--offset", "start", "--timeout-ms", "5000");
            Assert.True(consumed.ExitCode == 0, consumed.Stderr);
            var delivered = consumed.Lines.Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToHashSet();
            var missing = Enumerable.Range(1, (int)read).Select(i => (long)i).Where(i => !delivered.Contains(i) && !reported.Contains(i)).ToList();
            Assert.True(missing.Count == 0, $"lines neither delivered nor reported: {string.Join(',', missing.Take(20))}; stderr tail: {stderr[Math.Max(0, stderr.Length - 1500)..]}");
            if (summary.Success)
            {
                Assert.True(delivered.Count >= long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), "fewer records in the topic than produce said it delivered");
            }
        }
        finally
        {
            silo.Dispose();
        }
    }

    private int _fedLines;

    /// <summary>Writes lines 1, 2, 3, … until cancelled or produce stops reading; returns the last line written.</summary>
    private async Task<long> FeedAsync(RunningOrka produce, CancellationToken cancellationToken)
    {
        long line = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested && !produce.HasExited)
            {
                for (var i = 0; i < 10; i++)
                {
                    await produce.Stdin.WriteAsync($"{line + 1}\n");
                    line++;
                }

                await produce.Stdin.FlushAsync(cancellationToken);
                Interlocked.Exchange(ref _fedLines, (int)line);
                await Task.Delay(5, CancellationToken.None); // pacing, a few thousand lines a second
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // produce stopped reading (it exits at its first failure) or the test has seen enough.
        }

        return line;
    }

    private static async Task<long> LogEndAsync(string gateway) =>
        (await OrkaCli.RunAsync(gateway, null, "topics", "offsets", "restart")).Lines.Sum(l => long.Parse(l.Split(':')[2], CultureInfo.InvariantCulture));

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"orka: (\d+) records delivered to restart, (\d+) failed, from (\d+) lines read")]
    private static partial Regex Summary();

    [GeneratedRegex(@"^orka: line (\d+): not delivered: ", RegexOptions.Multiline)]
    private static partial Regex Reported();
}
