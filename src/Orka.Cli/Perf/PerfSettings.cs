namespace Orka.Cli.Perf;

/// <summary>The knobs of <c>orka perf produce</c> and <c>orka perf e2e</c>, as Kafka's perf tools name them.</summary>
internal sealed record PerfSettings
{
    public required string Topic { get; init; }

    public long NumRecords { get; init; }

    public int RecordSize { get; init; }

    /// <summary>Records per second over all producers; negative = as fast as possible.</summary>
    public double Throughput { get; init; } = -1;

    public Acks Acks { get; init; } = Acks.Leader;

    public int BatchSize { get; init; } = new Orka.Client.ProducerOptions().BatchSize;

    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    public int Producers { get; init; } = 1;

    /// <summary>
    /// Records sent first and left out of every figure (Kafka's <c>--warmup-records</c>, KIP-1052):
    /// the load generator's own code is compiled and tiered up during them, so the run measures the
    /// steady state. 0 = none.
    /// </summary>
    public long WarmupRecords { get; init; }

    public TimeSpan ReportingInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes of records sent but not yet acknowledged, per producer, before the run waits: without
    /// a bound a fast loop would queue every record of the run in memory.
    /// </summary>
    public long MaxOutstandingBytes { get; init; } = 32L << 20;
}
