using BenchmarkDotNet.Running;
using TokenAuth.Benchmarks;

// dotnet run -c Release --project test/TokenAuth.Benchmarks -- --filter '*'     (BenchmarkDotNet)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- cputime [rounds] [calls]   (CPU time and bytes per call, interleaved, medians)
// Every class has a [Benchmark(Baseline = true)]: results are read as the Ratio column, not as absolute times.
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- serve --urls http://127.0.0.1:5199 [--redis host:port]
// is the app load.sh measures with wrk (see LoadTarget).
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

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
