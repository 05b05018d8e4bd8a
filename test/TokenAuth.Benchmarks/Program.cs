using BenchmarkDotNet.Running;

// dotnet run -c Release --project test/TokenAuth.Benchmarks -- --filter '*'     (BenchmarkDotNet)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- cputime [rounds] [calls]   (CPU time and bytes per call, interleaved, medians)
// dotnet run -c Release --project test/TokenAuth.Benchmarks -- redis-bytes [tokens]      (Redis memory per stored token, both formats)
// Every class has a [Benchmark(Baseline = true)]: results are read as the Ratio column, not as absolute times.
if (args is ["allocations", var scenario])
{
    await TokenAuth.Benchmarks.AllocSampleRunner.RunAsync(scenario);
    return;
}

if (args is ["cputime", ..])
{
    await TokenAuth.Benchmarks.CpuTimeRunner.RunAsync(args);
    return;
}

if (args is ["redis-bytes", ..])
{
    await TokenAuth.Benchmarks.RedisBytesRunner.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
