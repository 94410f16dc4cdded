using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using StackExchange.Redis;

namespace DiscordLedgerBot.Benchmarks.Storage;

/// <summary>
/// Commands accepted into the outbox per second, per backend, with many concurrent callers (as surfaces are), and
/// the p50/p99 latency of one accept as a caller sees it (printed at cleanup: BenchmarkDotNet has no per-operation p99).
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*OutboxAccept*'
/// The redis case starts its own redis-server (no persistence) on a free loopback port.
/// </summary>
[Config(typeof(Config))]
public class OutboxAcceptBenchmarks
{
    private const int CommandsPerInvoke = 2000;
    private const int Callers = 32;

    private readonly long[] _latencies = new long[4_000_000];
    private int _latencyCount;
    private int _sequence;
    private string? _directory;
    private Process? _redisServer;
    private ConnectionMultiplexer? _connection;
    private IStorageBackend _store = null!;

    [Params("memory", "file", "redis")]
    public string Backend { get; set; } = "memory";

    [GlobalSetup]
    public void Setup()
    {
        switch (Backend)
        {
            case "memory":
                _store = EmbeddedStorage.CreateInMemory(TimeProvider.System);
                break;
            case "file":
                _directory = Directory.CreateTempSubdirectory("dlb-bench-").FullName;
                _store = EmbeddedStorage.OpenFile(_directory, TimeProvider.System);
                break;
            default:
                var port = StartRedis();
                _connection = ConnectionMultiplexer.Connect(new RedisOptions { Host = "127.0.0.1", Port = port }.ToConfigurationOptions());
                _store = new RedisStorage(_connection.GetDatabase(), TimeProvider.System, "bench:");
                break;
        }
    }

    [Benchmark(OperationsPerInvoke = CommandsPerInvoke)]
    public Task AcceptConcurrently() =>
        Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < CommandsPerInvoke / Callers; i++)
            {
                var id = Interlocked.Increment(ref _sequence);
                var started = Stopwatch.GetTimestamp();
                await _store.AppendAsync(new OutboxAppend(
                    $"discord:{id.ToString(CultureInfo.InvariantCulture)}",
                    $"LED-{(id % 500).ToString(CultureInfo.InvariantCulture)}",
                    "ledger.update",
                    "{\"status\":\"in progress\",\"note\":\"benchmark payload of a typical size for a ledger update command\"}"));
                var slot = Interlocked.Increment(ref _latencyCount) - 1;
                if (slot < _latencies.Length)
                {
                    _latencies[slot] = Stopwatch.GetTimestamp() - started;
                }
            }
        })));

    [GlobalCleanup]
    public async Task Cleanup()
    {
        var count = Math.Min(_latencyCount, _latencies.Length);
        var sorted = _latencies[..count];
        Array.Sort(sorted);
        double Ms(double quantile) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, quantile * sorted.Length)] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// accept latency [{Backend}] over {count} commands: p50 {Ms(0.50):0.000} ms, p99 {Ms(0.99):0.000} ms, max {Ms(1.0):0.000} ms"));

        await _store.DisposeAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_redisServer is not null)
        {
            _redisServer.Kill(entireProcessTree: true);
            await _redisServer.WaitForExitAsync();
            _redisServer.Dispose();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private int StartRedis()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
        {
            info.ArgumentList.Add(argument);
        }

        _redisServer = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        string? line;
        while ((line = _redisServer.StandardOutput.ReadLine()) is not null && !line.Contains("Ready to accept connections", StringComparison.Ordinal))
        {
        }

        // Keep draining its output so the pipe never fills and blocks it.
        _ = _redisServer.StandardOutput.ReadToEndAsync();
        return port;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(8));
        }
    }
}
