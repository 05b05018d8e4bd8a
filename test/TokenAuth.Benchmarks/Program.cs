using BenchmarkDotNet.Running;
using TokenAuth.Benchmarks;

// dotnet run -c Release --project test/TokenAuth.Benchmarks -- --filter '*'     (BenchmarkDotNet)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- cputime [rounds] [calls]   (CPU time and bytes per call, interleaved, medians)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- jwtparts [rounds] [calls]  (where a cold JWT validation's CPU goes)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- redis [rounds] [calls]     (an L2 hit against a raw Redis GET; needs redis-server)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- redis-bytes [tokens]      (Redis memory per stored token, both formats)
// Every class has a [Benchmark(Baseline = true)]: results are read as the Ratio column, not as absolute times.
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- serve --urls http://127.0.0.1:5199 [--redis host:port]
// is the app load.sh measures with wrk (see LoadTarget).
if (args is ["jwtparts", ..])
{
    await TokenAuth.Benchmarks.JwtPartsRunner.RunAsync(args);
    return 0;
}

if (args is ["redis", ..])
{
    // An L2 (Redis) hit against a raw GET of the same size: CPU time of this process and bytes, interleaved.
    var redis = new TokenAuth.Benchmarks.RedisBenchmarks();
    await redis.Setup();
    Console.WriteLine($"entry read from Redis: {redis.EntryBytes} bytes; commands per L2 hit: {redis.CommandsPerHit}");
    await TokenAuth.Benchmarks.JwtPartsRunner.RunPartsAsync(
        "Redis read",
        [
            ("raw StackExchange.Redis GET", async () => !(await redis.Redis_RawGet()).IsNull),
            ("TokenAuth introspection L2 hit", async () => (await redis.TokenAuth_Introspection_L2Hit()).Succeeded),
        ],
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 500);
    await redis.Cleanup();
    return 0;
}

if (args is ["allocations", var scenario])
{
    await AllocSampleRunner.RunAsync(scenario);
    return 0;
}

if (args is ["cputime", ..])
{
    await CpuTimeRunner.RunAsync(args);
    return 0;
}

if (args.Length > 0 && args[0] == "serve")
{
    return await LoadTarget.RunAsync(args[1..]);
}

if (args is ["redis-bytes", ..])
{
    await TokenAuth.Benchmarks.RedisBytesRunner.RunAsync(args);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
