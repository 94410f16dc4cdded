using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// <c>bot ingest submit|drain|status</c>: operator access to the durable outbox through the same ingestion,
/// flusher and reconciler the bot runs, on the configured store (Storage:Backend file|redis) and monday.
/// </summary>
public sealed class IngestCommand : ICliCommand
{
    private const int MaxSubmitCount = 1_000_000;
    private const int AppendsInFlight = 64;
    private const int DeadLettersShown = 20;

    public string Verb => "ingest";

    public string Summary => "Record ledger commands in the outbox, drain it to monday, show its state";

    public string Usage => """
        usage: bot ingest submit --count N --prefix P [--start K] [--title TEXT]
               bot ingest drain [--follow | --max-wait SECONDS]
               bot ingest status [--json]
          submit   records N create commands with idempotency keys P-00000K… and ledger keys cli:P-00000K…, then prints
                   "recorded"; submitting the same keys again records nothing new (safe to repeat after a crash)
          drain    reconciles lapsed claims against monday, then flushes until every command is confirmed or
                   dead-lettered (--follow: keep running like the bot's worker until Ctrl+C); gives up after
                   --max-wait seconds (default 300) and reports what is left (exit 1). A running bot drains its own
                   outbox: then this verb refuses and `status` shows its progress
          status   counts per state, and the dead letters with their reasons
          Store: Storage:Backend (file|redis), Storage:DataDirectory, Redis:ConnectionString. monday (drain only):
          Monday:ApiUrl, Monday:Token, Monday:BoardId. Pacing: Outbox:BatchSize, Outbox:ClaimDuration, … (see docs).
          While the bot runs on the same data directory, submit and status go through it (its outbox, its flusher).
        exit codes: 0 done (drain: nothing dead-lettered), 1 dead letters or a store/monday failure, 2 usage or configuration error
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        var verbArgs = args;
        if (verbArgs.Count == 0)
        {
            throw new CliUsageException("Missing subcommand: submit, drain or status.");
        }

        var rest = verbArgs.Skip(1).ToList();
        return verbArgs[0] switch
            {
                "submit" => await SubmitAsync(context, rest, cancellationToken),
                "drain" => await DrainAsync(context, rest, cancellationToken),
                "status" => await StatusAsync(context, rest, cancellationToken),
                _ => throw new CliUsageException($"Unknown subcommand '{verbArgs[0]}'; use submit, drain or status."),
            };
    }

    private static async Task<int> SubmitAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["count", "prefix", "start", "title"], []);
        var count = options.Int("count") ?? throw new CliUsageException("Option --count is required.");
        if (count is < 1 or > MaxSubmitCount)
        {
            throw new CliUsageException($"--count must be 1..{MaxSubmitCount}, got {count}.");
        }

        var start = options.Int("start") ?? 1;
        if (start < 0 || (long)start + count > 999_999_999)
        {
            throw new CliUsageException($"--start must be 0 or more and --start + --count stay below 999999999, got {start}.");
        }

        var prefix = options.Required("prefix");
        var firstKey = OriginId(prefix, start);
        if (!LedgerKey.TryParse($"{LedgerSource.Cli.ToWireName()}:{firstKey}", out _, out var keyProblem))
        {
            throw new CliUsageException($"--prefix '{prefix}' does not make a valid ledger key: {keyProblem}");
        }

        var title = options.Value("title") ?? "Ingested";
        await using var services = CliServices.Open(context);
        services.EnsureWritable();
        var ingestion = services.Get<LedgerIngestion>();
        var created = 0;
        var duplicates = 0;
        foreach (var chunk in Enumerable.Range(start, count).Chunk(AppendsInFlight))
        {
            // Concurrent appends share the file store's fsyncs (group commit); each is still acknowledged only once durable.
            var recorded = await Task.WhenAll(chunk.Select(n =>
            {
                var originId = OriginId(prefix, n);
                var key = LedgerKey.FromOrigin(LedgerSource.Cli, originId);
                return ingestion.RecordAsync(new CreateLedgerEntry(originId, key, $"{title} {originId}", LedgerSource.Cli), cancellationToken);
            }));
            created += recorded.Count(r => !r.IsDuplicate);
            duplicates += recorded.Count(r => r.IsDuplicate);
        }

        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"recorded {count} commands ({created} new, {duplicates} already recorded) {OriginId(prefix, start)}..{OriginId(prefix, start + count - 1)}"));
        return 0;
    }

    private static async Task<int> DrainAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["max-wait"], ["follow"]);
        var maxWait = TimeSpan.FromSeconds(options.Int("max-wait") ?? 300);
        if (maxWait <= TimeSpan.Zero)
        {
            throw new CliUsageException("--max-wait must be a positive number of seconds.");
        }

        await using var services = CliServices.Open(context);
        services.RequireBoard();
        if (services.HandsOffToBot)
        {
            await context.Error.WriteLineAsync("error: the running bot holds this outbox and drains it itself; `bot ingest status` shows its progress.");
            return 1;
        }

        var worker = services.Get<OutboxWorker>();
        if (options.Has("follow"))
        {
            try
            {
                await worker.RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Output.WriteLineAsync("stopped");
            }

            return 0;
        }

        using var giveUp = new CancellationTokenSource(maxWait, context.Time);
        using var drainCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, giveUp.Token);
        OutboxDrainReport report;
        try
        {
            report = await worker.DrainAsync(drainCancellation.Token);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var left = await services.Get<IOutboxStore>().CountAsync(cancellationToken);
            var retrying = left.Failed == 0 ? [] : await services.Get<IOutboxStore>().ListAsync(OutboxState.Failed, 1, cancellationToken);
            await context.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"error: gave up after {maxWait.TotalSeconds:0}s with pending {left.Pending}, sent {left.Sent}, failed {left.Failed} still in the outbox{(retrying.Count > 0 ? $" (last error: {retrying[0].LastError})" : string.Empty)}; they stay there for the bot or the next drain."));
            return 1;
        }

        var final = report.Final;
        await context.Output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"drained: sent {report.Sent}, confirmed {report.Confirmed}, reconciled {report.Reconciled}, retried {report.Retried}, dead-lettered {report.DeadLettered} in {report.Flushes} flushes; outbox now pending {final.Pending}, sent {final.Sent}, confirmed {final.Confirmed}, failed {final.Failed}"));
        return final.Failed == 0 ? 0 : 1;
    }

    private static async Task<int> StatusAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, [], ["json"]);
        await using var services = CliServices.Open(context);
        var store = services.Get<IOutboxStore>();
        var counts = await store.CountAsync(cancellationToken);
        var failed = counts.Failed == 0 ? [] : await store.ListAsync(OutboxState.Failed, (int)Math.Min(counts.Failed, int.MaxValue), cancellationToken);
        var deadLetters = failed.Where(r => r.NextAttemptAt is null).ToList();
        var retrying = failed.Count - deadLetters.Count;
        if (options.Has("json"))
        {
            var json = new JsonObject
            {
                ["pending"] = counts.Pending,
                ["sent"] = counts.Sent,
                ["confirmed"] = counts.Confirmed,
                ["failed"] = counts.Failed,
                ["retrying"] = retrying,
                ["dead_lettered"] = deadLetters.Count,
                ["dead_letters"] = new JsonArray([.. deadLetters.Select(r => (JsonNode)new JsonObject
                {
                    ["idempotency_key"] = r.IdempotencyKey,
                    ["ledger_key"] = r.PartitionKey,
                    ["kind"] = r.CommandKind,
                    ["attempts"] = r.Attempts,
                    ["reason"] = r.LastError,
                    ["failed_at"] = r.UpdatedAt,
                })]),
            };
            await context.Output.WriteLineAsync(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        await context.Output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"pending {counts.Pending}, sent {counts.Sent}, confirmed {counts.Confirmed}, failed {counts.Failed} ({retrying} waiting to retry, {deadLetters.Count} dead-lettered)"));
        foreach (var dead in deadLetters.Take(DeadLettersShown))
        {
            await context.Output.WriteLineAsync($"  dead: {dead.IdempotencyKey} {dead.CommandKind} {dead.PartitionKey} after {dead.Attempts} attempt(s): {dead.LastError}");
        }

        if (deadLetters.Count > DeadLettersShown)
        {
            await context.Output.WriteLineAsync($"  … and {deadLetters.Count - DeadLettersShown} more (use --json)");
        }

        return 0;
    }

    private static string OriginId(string prefix, int number) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{number:D6}");

    private static CliArguments Parse(IReadOnlyList<string> args, string[] values, string[] flags)
    {
        var options = CliArguments.Parse(args, values, flags);
        return options.Positionals.Count > 0 ? throw new CliUsageException($"Unexpected argument '{options.Positionals[0]}'.") : options;
    }
}
