using Switchyard.Bench.Ledger;

// bench/ledger: (a) sustained ledger writes per second through BufferedLedger on SQLite and PostgreSQL,
// (b) gateway throughput with the ledger on and off, then a count check: no record may be lost.
var options = BenchOptions.Parse(args);
Console.WriteLine($"bench/ledger {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
var ok = true;
if (options.Stores)
{
    ok &= await StoreBenchmark.RunAsync(options);
}

if (options.RequestShape)
{
    ok &= await RequestShapeBenchmark.RunAsync(options);
}

if (options.BatchShape)
{
    ok &= await BatchShapeBenchmark.RunAsync(options);
}

if (options.Gateway)
{
    ok &= await GatewayBenchmark.RunAsync(options);
}

Console.WriteLine(ok ? "all count checks passed" : "COUNT CHECK FAILED");
return ok ? 0 : 1;
