using BenchmarkDotNet.Running;

// BenchmarkDotNet micro-benchmarks of the hot pieces of a request (bench/README.md):
//   dotnet run -c Release --project bench/Switchyard.Bench.Micro -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Switchyard.Bench.Micro.RequestParsingBenchmarks).Assembly).Run(args);
