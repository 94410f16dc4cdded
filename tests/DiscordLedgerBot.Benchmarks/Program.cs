using BenchmarkDotNet.Running;

// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
