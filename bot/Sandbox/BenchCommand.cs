using DiscordLedgerBot.Cli;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Sandbox;

/// <summary><c>bot bench ledger-burst</c>: a write burst through the ledger facade against an in-process monday emulator.</summary>
public sealed class BenchCommand : ICliCommand
{
    public string Verb => "bench";

    public string Summary => "Measure the ledger under load (in-process monday emulator)";

    public string Usage => """
        usage: bot bench ledger-burst [--writes N] [--budget POINTS] [--real-time] [--json]
          Starts a monday emulator on 127.0.0.1 with a POINTS/minute complexity budget (default 1000000), provisions a
          ledger board, sends N creates (default 1000) through the ledger facade in one batch call, and reports items
          created, lost, duplicated, requests answered 429 after the first budget reading, writes per HTTP request and
          elapsed time. By default idle waits run on a virtual clock (the budget still resets once per virtual minute);
          --real-time waits for real (about ten minutes at the defaults).
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = CliArguments.Parse(args, ["writes", "budget"], ["real-time", "json"]);
        if (options.Positionals is not ["ledger-burst"])
        {
            throw new CliUsageException("Give the benchmark to run: ledger-burst.");
        }

        var writes = options.Int("writes") ?? 1000;
        var budget = options.Int("budget") ?? 1_000_000;
        if (writes is < 1 or > 9_000)
        {
            throw new CliUsageException("--writes must be 1..9000 (the board holds 10,000 items).");
        }

        if (budget < 100_000)
        {
            throw new CliUsageException("--budget must be at least 100000 points per minute.");
        }

        var report = await RunBurstAsync(writes, budget, options.Has("real-time"), cancellationToken);
        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(report, CliServices.Json));
        }
        else
        {
            await context.Output.WriteLineAsync($"ledger-burst: {writes} creates, budget {budget:N0} points/min, {(report.VirtualClock ? "virtual" : "real")} clock");
            await context.Output.WriteLineAsync($"  items created                      {report.ItemsCreated}");
            await context.Output.WriteLineAsync($"  lost                               {report.Lost}");
            await context.Output.WriteLineAsync($"  duplicated                         {report.Duplicated}");
            await context.Output.WriteLineAsync($"  429 after first budget reading     {report.RateLimitedAfterFirstReading}");
            await context.Output.WriteLineAsync($"  write requests                     {report.WriteRequests}");
            await context.Output.WriteLineAsync($"  writes per HTTP request            {report.WritesPerRequest.ToString("0.0", CultureInfo.InvariantCulture)}");
            await context.Output.WriteLineAsync($"  pacing waits                       {report.PacingWaits}");
            await context.Output.WriteLineAsync($"  elapsed (monday's clock)           {report.ClockElapsed:mm\\:ss\\.f}");
            await context.Output.WriteLineAsync($"  elapsed (wall)                     {report.WallElapsed:mm\\:ss\\.f}");
        }

        return report.Lost == 0 && report.Duplicated == 0 && report.RateLimitedAfterFirstReading == 0 ? 0 : 1;
    }

    private static async Task<BurstReport> RunBurstAsync(int writes, int budget, bool realTime, CancellationToken cancellationToken)
    {
        var virtualClock = realTime ? null : new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        TimeProvider time = virtualClock ?? TimeProvider.System;
        await using var emulator = await MondayEmulator.StartAsync(
            new MondayEmulatorOptions { Port = 0, TimeProvider = time, EnableControlApi = false, RateLimits = { ComplexityPerMinute = budget } },
            cancellationToken);
        // Composed like every other entry point; only the clock and a request counter around monday's transport differ.
        var settings = new Dictionary<string, string?>
        {
            ["Monday:Token"] = "bench-token",
            ["Monday:ApiUrl"] = emulator.ApiUrl.ToString(),
            ["Monday:AttemptTimeout"] = "00:10:00",
            ["Storage:Backend"] = "memory",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time);
        services.AddLogging();
        services.AddLedgerBot(configuration, LedgerBotRole.Cli);
        var composedTransport = services.Last(d => d.ServiceType == typeof(IMondayTransport));
        services.AddSingleton(sp => new InFlightTransport((IMondayTransport)composedTransport.ImplementationFactory!(sp)));
        services.AddSingleton<IMondayTransport>(sp => sp.GetRequiredService<InFlightTransport>());
        await using var provider = services.BuildServiceProvider();
        var transport = provider.GetRequiredService<InFlightTransport>();
        var client = provider.GetRequiredService<MondayClient>();

        using var stopDriving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var driver = virtualClock is null ? Task.CompletedTask : BenchClockDriver.DriveAsync(virtualClock, () => transport.InFlight == 0, stopDriving.Token);
        try
        {
            var board = await new LedgerBoardProvisioner(client).CreateAsync("Bench ledger", Guid.NewGuid().ToString("N"), cancellationToken);
            // The board exists only now; the ledger reads its options when first resolved, just below.
            provider.GetRequiredService<IOptions<MondayOptions>>().Value.BoardId = board.BoardId;
            var ledger = provider.GetRequiredService<MondayLedger>();
            var commands = Enumerable.Range(0, writes)
                .Select(i => (LedgerCommand)new CreateLedgerEntry($"bench-{i}", LedgerKey.Parse($"cli:bench-{i}"), $"Bench item {i}", LedgerSource.Cli))
                .ToList();

            var writeRequestsBefore = transport.Writes;
            var clockStart = time.GetUtcNow();
            var wall = Stopwatch.StartNew();
            var results = await ledger.ExecuteBatchAsync(commands, cancellationToken);
            wall.Stop();
            var clockElapsed = time.GetUtcNow() - clockStart;

            var expected = commands.Select(c => c.Key.Value).ToHashSet(StringComparer.Ordinal);
            var stored = emulator.Items(long.Parse(board.BoardId, CultureInfo.InvariantCulture))
                .Select(StoredKey)
                .Where(k => k is not null && expected.Contains(k))
                .ToList();
            var distinct = stored.Distinct(StringComparer.Ordinal).Count();
            var writeRequests = transport.Writes - writeRequestsBefore;
            return new BurstReport(
                writes,
                budget,
                virtualClock is not null,
                ItemsCreated: stored.Count,
                Lost: writes - distinct,
                Duplicated: stored.Count - distinct,
                Rejected: results.Count(r => r is not LedgerApplied),
                RateLimitedAfterFirstReading: client.Statistics.RateLimitedAfterFirstReading,
                EmulatorRateLimited: emulator.Stats.RateLimited,
                WriteRequests: writeRequests,
                WritesPerRequest: writeRequests == 0 ? 0 : (double)writes / writeRequests,
                PacingWaits: client.Statistics.PacingWaits,
                ClockElapsed: clockElapsed,
                WallElapsed: wall.Elapsed);
        }
        finally
        {
            await stopDriving.CancelAsync();
            await driver;
        }
    }

    private static string? StoredKey(MondayItemSnapshot item) =>
        item.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var stored)
            ? JsonNode.Parse(stored) switch
            {
                JsonValue value when value.TryGetValue<string>(out var text) => text,
                JsonObject obj => (obj["text"] ?? obj["value"])?.GetValue<string>(),
                _ => null,
            }
            : null;

    private sealed record BurstReport(
        int Writes,
        int BudgetPerMinute,
        bool VirtualClock,
        int ItemsCreated,
        int Lost,
        int Duplicated,
        int Rejected,
        long RateLimitedAfterFirstReading,
        long EmulatorRateLimited,
        long WriteRequests,
        double WritesPerRequest,
        long PacingWaits,
        TimeSpan ClockElapsed,
        TimeSpan WallElapsed);

    /// <summary>Counts requests in flight (the virtual clock only jumps when none is) and write requests.</summary>
    private sealed class InFlightTransport(IMondayTransport inner) : IMondayTransport
    {
        private long _inFlight;
        private long _writes;

        public long InFlight => Interlocked.Read(ref _inFlight);

        public long Writes => Interlocked.Read(ref _writes);

        public async Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken)
        {
            if (request.IdempotencyKey is not null)
            {
                Interlocked.Increment(ref _writes);
            }

            Interlocked.Increment(ref _inFlight);
            try
            {
                return await inner.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
