namespace Orka.Cli.Tests;

/// <summary><c>orka partitions verify | repair</c> run as real processes against a real node whose segment files a test damages.</summary>
public sealed class PartitionCliTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private Task<OrkaCli.Result> Orka(string? stdin, params string[] args) => OrkaCli.RunAsync(silo.Gateway, stdin, args);

    // Intent: verify finds a batch with a bad magic byte in a closed segment (exit 1, its offsets,
    // segment and position), /health names the partition, repair --skip removes it, and then all is well.
    [Fact]
    public async Task VerifyRepair_CorruptBatchInClosedSegment_FoundReportedSkipped()
    {
        var created = await Orka(null, "topics", "create", "scrub", "--config", "segment.bytes=1024");
        Assert.True(created.ExitCode == 0, created.Stderr);
        for (var i = 0; i < 4; i++)
        {
            // Five 300-byte records: a batch larger than segment.bytes, so each run fills a segment of its own.
            var lines = string.Concat(Enumerable.Range(0, 5).Select(r => $"run{i}-{r}".PadRight(300, '.') + "\n"));
            var produced = await Orka(lines, "produce", "scrub");
            Assert.True(produced.ExitCode == 0, produced.Stderr);
        }

        var intact = await Orka(null, "partitions", "verify", "scrub");
        Assert.True(intact.ExitCode == 0, intact.Stderr);
        Assert.StartsWith("scrub-0\tOK\t", Assert.Single(intact.Lines), StringComparison.Ordinal);

        var directory = Assert.Single(Directory.GetDirectories(silo.Root, "scrub-0", SearchOption.AllDirectories));
        var segments = Directory.GetFiles(directory, "*.log").Order(StringComparer.Ordinal).ToList();
        Assert.True(segments.Count >= 3, $"expected at least three segments, found {segments.Count}");
        var damaged = segments[1];
        var size = new FileInfo(damaged).Length;
        using (var file = new FileStream(damaged, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            RandomAccess.Write(file.SafeFileHandle, [7], 16); // the magic byte of its first batch
        }

        var first = long.Parse(Path.GetFileNameWithoutExtension(damaged), System.Globalization.CultureInfo.InvariantCulture);
        var last = long.Parse(Path.GetFileNameWithoutExtension(segments[2]), System.Globalization.CultureInfo.InvariantCulture) - 1;
        var verify = await Orka(null, "partitions", "verify", "scrub:0");
        Assert.Equal(1, verify.ExitCode);
        var line = Assert.Single(verify.Lines);
        Assert.StartsWith($"scrub-0\tCORRUPT\toffsets: {first}..{last}\t", line, StringComparison.Ordinal);
        Assert.Contains($"segment: {Path.GetFileName(damaged)}\tposition: 0..{size}\t", line);
        Assert.Contains("magic", line);
        Assert.Contains("corrupt range", verify.Stderr);

        using var http = new HttpClient { BaseAddress = new Uri(silo.HttpAddress) };
        var health = await http.GetStringAsync("/health");
        Assert.StartsWith("Degraded", health, StringComparison.Ordinal);
        Assert.Contains($"storage-integrity: Degraded - Corrupt data in scrub-0 (offsets {first}..{last})", health);

        var consumed = await Orka(null, "consume", "scrub", "--from-beginning", "--max-messages", "20", "--timeout-ms", "20000");
        Assert.NotEqual(0, consumed.ExitCode);
        Assert.Contains($"Offsets {first}..{last} of scrub-0", consumed.Stderr);

        var refused = await Orka(null, "partitions", "repair", "scrub:0", "--skip", $"{first}-{last - 1}");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"skip at least {first}..{last}", refused.Stderr);

        var repair = await Orka(null, "partitions", "repair", "scrub:0", "--skip", $"{first}-{last}");
        Assert.True(repair.ExitCode == 0, repair.Stderr);
        Assert.Equal([$"scrub-0\tskipped: {first}..{last}\tsegments rewritten: 1\tbatches dropped: 0\tbytes dropped: {size}"], repair.Lines);

        var after = await Orka(null, "partitions", "verify", "scrub");
        Assert.True(after.ExitCode == 0, after.Stderr);
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        var rest = await Orka(null, "consume", "scrub", "--from-beginning", "--max-messages", "15", "--timeout-ms", "20000");
        Assert.True(rest.ExitCode == 0, rest.Stderr);
        Assert.Equal(15, rest.Lines.Length);
        Assert.DoesNotContain(rest.Lines, l => l.StartsWith("run1-", StringComparison.Ordinal));
    }
}
