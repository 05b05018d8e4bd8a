using BenchmarkDotNet.Running;

// dotnet run -c Release --project test/TokenAuth.Benchmarks -- --filter '*'
// Every class has a [Benchmark(Baseline = true)]: results are read as the Ratio column, not as absolute times.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
