namespace TokenAuth.Benchmarks;

/// <summary>Where a scenario's bytes go: allocation ticks sampled by type (every ~100 KB), over many calls.</summary>
internal static class AllocSampleRunner
{
    public static async Task RunAsync(string scenarioName)
    {
        var bench = new AuthenticateBenchmarks();
        await bench.Setup();
        var scenario = bench.Scenarios().Single(s => s.Name == scenarioName);
        using var sampler = new AllocationSampler();
        for (var round = 0; round < 3; round++)
        {
            var contexts = Enumerable.Range(0, 20_000).Select(_ => AuthenticateBenchmarks.Request(scenario.Token, scenario.Query)).ToArray();
            sampler.On = round > 0;
            foreach (var context in contexts)
            {
                await bench.AuthenticateAsync(scenario.Scheme, context);
            }

            sampler.On = false;
        }

        var total = sampler.Types.Values.Sum();
        foreach (var (type, count) in sampler.Types.OrderByDescending(t => t.Value).Take(45))
        {
            Console.WriteLine($"{count * 100.0 / total,5:F1}% {type}");
        }
    }
}

internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    public System.Collections.Concurrent.ConcurrentDictionary<string, long> Types { get; } = new();

    public bool On { get; set; }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
    {
        if (On && eventData.EventName == "GCAllocationTick_V4" && eventData.Payload is { } payload)
        {
            var name = (string)payload[eventData.PayloadNames!.IndexOf("TypeName")]!;
            Types.AddOrUpdate(name, 1, (_, v) => v + 1);
        }
    }
}
