using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TokenAuth.Benchmarks;

/// <summary>
/// The CPU-time mode: the same <c>AuthenticateAsync</c> calls as <see cref="AuthenticateBenchmarks"/>, interleaved in rounds
/// (every scenario once per round, in a shuffled order), each measured by process CPU time and bytes allocated per call;
/// medians over the rounds. Stable where wall-clock means on a shared machine are not: a noisy neighbour slows a round
/// of every scenario alike, and CPU time is not wall time. Requests are prepared before a round (as a server has them
/// before authentication runs); each call gets a fresh DI scope, as a real request does.
/// <code>dotnet run -c Release --project test/TokenAuth.Benchmarks -- cputime [rounds=41] [calls=1000]</code>
/// </summary>
internal static class CpuTimeRunner
{
    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 41;
        var calls = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var bench = new AuthenticateBenchmarks();
        await bench.Setup();
        var scenarios = bench.Scenarios();
        var cpu = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        var bytes = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        var random = new Random(42);

        // Warm-up: JIT, caches filled, and tiering done — methods are recompiled at tier 1 in the background some 100 ms
        // after their 30th call, and that compilation is CPU time of this process: pauses let it finish before measuring.
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var scenario in scenarios)
            {
                await RunRoundAsync(bench, scenario, Math.Max(calls, 1000));
            }

            await Task.Delay(500);
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var scenario in scenarios.OrderBy(_ => random.Next()))
            {
                var (cpuPerCall, bytesPerCall) = await RunRoundAsync(bench, scenario, calls);
                cpu[scenario.Name].Add(cpuPerCall);
                bytes[scenario.Name].Add(bytesPerCall);
            }
        }

        await bench.Cleanup();
        // The ratio is taken within each round (the machine's state is about the same for every scenario of a round), then
        // the median of those ratios: a noisy neighbour that slows one round slows its baseline too.
        var baseline = cpu["JwtBearer_Rs256"];
        Console.WriteLine($"CPU time and bytes per AuthenticateAsync, {rounds} interleaved rounds of {calls} calls, medians");
        Console.WriteLine($"{"scenario",-40} {"CPU µs",8} {"÷ JwtBearer",12} {"(IQR)",14} {"bytes",8}");
        foreach (var scenario in scenarios)
        {
            var ratios = cpu[scenario.Name].Zip(baseline, (value, jwt) => value / jwt).Order().ToList();
            var quartiles = $"{ratios[ratios.Count / 4]:F2}–{ratios[ratios.Count * 3 / 4]:F2}";
            Console.WriteLine($"{scenario.Name,-40} {Median(cpu[scenario.Name]),8:F2} {Median(ratios),12:F2} {quartiles,14} {Median(bytes[scenario.Name]),8:F0}");
        }
    }

    private static async Task<(double CpuMicroseconds, double Bytes)> RunRoundAsync(AuthenticateBenchmarks bench, AuthenticateBenchmarks.Scenario scenario, int calls)
    {
        var contexts = new HttpContext[calls];
        for (var i = 0; i < calls; i++)
        {
            contexts[i] = AuthenticateBenchmarks.Request(scenario.Token, scenario.Query);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpuBefore = CpuClock.NowMicroseconds();
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            var result = await bench.AuthenticateAsync(scenario.Scheme, contexts[i]);
            if (result.Succeeded != scenario.ShouldSucceed)
            {
                throw new InvalidOperationException($"{scenario.Name}: expected {(scenario.ShouldSucceed ? "success" : "no success")}, got {result.Failure?.Message ?? "none"}.");
            }
        }

        var bytesAfter = GC.GetTotalAllocatedBytes(precise: true);
        var cpuAfter = CpuClock.NowMicroseconds();
        return ((cpuAfter - cpuBefore) / calls, (double)(bytesAfter - bytesBefore) / calls);
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
