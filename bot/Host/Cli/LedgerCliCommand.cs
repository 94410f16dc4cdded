using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Cli;

/// <summary><c>bot ledger create|update|show|list</c>: operator access to the ledger through the same facade the bot uses.</summary>
public sealed class LedgerCliCommand : ICliCommand
{
    /// <summary>The most confirmed outbox records read to find an archived item's id (the hand-off endpoint's cap).</summary>
    private const int ConfirmedScanLimit = 100_000;

    public string Verb => "ledger";

    public string Summary => "Create, update, show and list ledger entries on monday";

    public string Usage => """
        usage: bot ledger create --title TEXT [--owner TEXT] [--due YYYY-MM-DD] [--channel ID] [--key KEY] [WAIT] [--json]
               bot ledger update (--key KEY | --item ID) [--status STATUS] [--title TEXT] [--owner TEXT | --clear-owner]
                                 [--due YYYY-MM-DD | --clear-due] [--comment TEXT] [--follow-up TEXT] [--move GROUP]
                                 [--archive] [--id IDEMPOTENCY-KEY] [WAIT] [--json]
               bot ledger show (--key KEY | --item ID) [--json]
               bot ledger list [--status STATUS] [--owner TEXT] [--due-before YYYY-MM-DD] [--limit N] [--json]
          STATUS: requested, in_progress, blocked, done   GROUP: requested, active, blocked, escalated, done
          Legal status moves: requested→in_progress, in_progress⇄blocked, in_progress→done, blocked→done, done→requested.
          --key defaults to cli:<random id>; --id (update) defaults to a fresh id — pass your own to make a retry safe.
          Writes are recorded in the durable outbox (like every surface) and sent to monday from there: by the running
          bot when it holds the data directory, else by this command. WAIT: --wait-seconds N (default 60) waits for
          monday's confirmation and prints the item id; --no-wait returns once recorded. A command still pending when
          the wait ends stays in the outbox and is sent later (exit 0, state "pending").
        exit codes: 0 done or recorded, 1 rejected by the ledger or monday (nothing changed), 2 usage or configuration
          error, 5 read-only mode (Ledger:ReadOnly)
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            throw new CliUsageException("Missing subcommand: create, update, show or list.");
        }

        var rest = args.Skip(1).ToList();
        return args[0] switch
        {
            "create" => await CreateAsync(context, rest, cancellationToken),
            "update" => await UpdateAsync(context, rest, cancellationToken),
            "show" => await ShowAsync(context, rest, cancellationToken),
            "list" => await ListAsync(context, rest, cancellationToken),
            _ => throw new CliUsageException($"Unknown subcommand '{args[0]}'; use create, update, show or list."),
        };
    }

    private static async Task<int> CreateAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["title", "owner", "due", "channel", "key", "wait-seconds"], ["json", "no-wait"]);
        var key = options.Value("key") is { } given ? ParseKey(given) : LedgerKey.FromOrigin(LedgerSource.Cli, Guid.NewGuid().ToString("N"));
        var command = new CreateLedgerEntry(key.Value, key, options.Required("title"), LedgerSource.Cli)
        {
            Owner = options.Value("owner"),
            DueDate = ParseDate(options, "due"),
            DiscordChannelId = options.Value("channel"),
        };
        var wait = ParseWait(options);
        if (LedgerCommandValidator.Validate(command) is { } invalid)
        {
            return await ReportRejectedAsync(context, [invalid], options.Has("json"));
        }

        await using var services = CliServices.Open(context);
        services.EnsureWritable();
        services.RequireBoard();
        return await RecordAndReportAsync(context, services, [command], wait, options.Has("json"), cancellationToken);
    }

    private static async Task<int> UpdateAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["key", "item", "status", "title", "owner", "due", "comment", "follow-up", "move", "id", "wait-seconds"], ["clear-owner", "clear-due", "archive", "json", "no-wait"]);
        var json = options.Has("json");
        var idempotency = options.Value("id") ?? $"cli:{Guid.NewGuid():N}";
        LedgerStatus? status = options.Value("status") is { } statusText
            ? LedgerStatusNames.TryParse(statusText, out var parsedStatus) ? parsedStatus : throw new CliUsageException($"--status must be requested, in_progress, blocked or done, got '{statusText}'.")
            : null;
        LedgerGroup? group = options.Value("move") is { } groupText
            ? LedgerGroupNames.TryParse(groupText, out var parsedGroup) ? parsedGroup : throw new CliUsageException($"--move must be requested, active, blocked, escalated or done, got '{groupText}'.")
            : null;
        var due = ParseDate(options, "due");
        var wait = ParseWait(options);
        var wantsDetails = options.Value("title") is not null || options.Value("owner") is not null || due is not null || options.Has("clear-owner") || options.Has("clear-due");
        if (status is null && group is null && !wantsDetails && options.Value("comment") is null && options.Value("follow-up") is null && !options.Has("archive"))
        {
            throw new CliUsageException("Nothing to update: give --status, --title, --owner, --due, --comment, --follow-up, --move or --archive.");
        }

        await using var services = CliServices.Open(context);
        services.EnsureWritable();
        services.RequireBoard();
        // Read the entry first: its item id targets the writes and its real status is the "from" of a status change,
        // so an illegal move is refused before anything is recorded.
        var entry = await FindAsync(services.Get<ILedger>(), options, cancellationToken);
        if (entry is null)
        {
            await context.Error.WriteLineAsync(NotFound(options));
            return 1;
        }

        var commands = new List<LedgerCommand>();
        if (wantsDetails)
        {
            commands.Add(new UpdateLedgerDetails($"{idempotency}.details", entry.Key)
            {
                MondayItemId = entry.MondayItemId,
                Title = options.Value("title"),
                Owner = options.Value("owner"),
                DueDate = due,
                ClearOwner = options.Has("clear-owner"),
                ClearDueDate = options.Has("clear-due"),
            });
        }

        if (status is { } to)
        {
            if (entry.Status is not { } from)
            {
                await context.Error.WriteLineAsync($"error: the entry's status label is not one the ledger knows; fix it on the board first.");
                return 1;
            }

            commands.Add(new ChangeLedgerStatus($"{idempotency}.status", entry.Key, from, to) { MondayItemId = entry.MondayItemId });
        }

        if (options.Value("comment") is { } comment)
        {
            commands.Add(new CommentOnLedgerEntry($"{idempotency}.comment", entry.Key, comment) { MondayItemId = entry.MondayItemId });
        }

        if (options.Value("follow-up") is { } followUp)
        {
            commands.Add(new AddLedgerFollowUp($"{idempotency}.followup", entry.Key, followUp) { MondayItemId = entry.MondayItemId });
        }

        if (group is { } target)
        {
            commands.Add(new MoveLedgerEntry($"{idempotency}.move", entry.Key, target) { MondayItemId = entry.MondayItemId });
        }

        if (options.Has("archive"))
        {
            commands.Add(new ArchiveLedgerEntry($"{idempotency}.archive", entry.Key) { MondayItemId = entry.MondayItemId });
        }

        var invalid = commands.Select(LedgerCommandValidator.Validate).OfType<LedgerRejected>().ToList();
        if (invalid.Count > 0)
        {
            return await ReportRejectedAsync(context, invalid, json);
        }

        return await RecordAndReportAsync(context, services, commands, wait, json, cancellationToken);
    }

    /// <summary>
    /// The one write path: record every command in the outbox (idempotent by its key), then wait, bounded, for the
    /// outcome — flushing ourselves when we own the store, watching the bot's outbox when it holds it.
    /// </summary>
    private static async Task<int> RecordAndReportAsync(CliContext context, CliServices services, IReadOnlyList<LedgerCommand> commands, TimeSpan? wait, bool json, CancellationToken cancellationToken)
    {
        var ingestion = services.Get<LedgerIngestion>();
        foreach (var command in commands)
        {
            await ingestion.RecordAsync(command, cancellationToken);
        }

        var keys = commands.Select(c => c.IdempotencyKey).ToList();
        var report = wait is { } timeout
            ? await services.Get<OutboxCompletion>().WaitAsync(keys, flush: !services.HandsOffToBot, timeout, cancellationToken)
            : new OutboxCompletionReport(await Task.WhenAll(keys.Select(k => services.Get<IOutboxStore>().GetAsync(k, cancellationToken))), TimedOut: true);
        var outcomes = commands.Zip(report.Records, (command, record) => new CommandOutcome(command, record)).ToList();
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(outcomes.Select(o => o.ToJson()), CliServices.Json));
        }
        else
        {
            foreach (var outcome in outcomes)
            {
                await (outcome.IsRejected ? context.Error : context.Output).WriteLineAsync(outcome.Describe(services.HandsOffToBot));
            }
        }

        return outcomes.Any(o => o.IsRejected) ? 1 : 0;
    }

    private sealed record CommandOutcome(LedgerCommand Command, OutboxRecord? Record)
    {
        public bool IsRejected => Record is { State: OutboxState.Failed, NextAttemptAt: null };

        public string State => Record switch
        {
            { State: OutboxState.Confirmed } => "confirmed",
            { State: OutboxState.Failed, NextAttemptAt: null } => "dead_lettered",
            { State: OutboxState.Failed } => "retrying",
            _ => "pending",
        };

        public string Describe(bool handedOff) => Record switch
        {
            { State: OutboxState.Confirmed } confirmed => $"ok: {Command.Operation} {Command.Key} → monday item {confirmed.MondayItemId}",
            { State: OutboxState.Failed, NextAttemptAt: null } dead => $"rejected: {Command.Operation} {Command.Key}: {dead.LastError}",
            { State: OutboxState.Failed } retrying => $"recorded, retrying at {retrying.NextAttemptAt:O}: {Command.Operation} {Command.Key}: {retrying.LastError}",
            _ => $"recorded: {Command.Operation} {Command.Key} (idempotency key {Command.IdempotencyKey}) is in the outbox; {(handedOff ? "the running bot sends it" : "the bot or `bot ingest drain` sends it")}",
        };

        public object ToJson() => new
        {
            outcome = State,
            operation = Command.Operation,
            key = Command.Key.Value,
            idempotencyKey = Command.IdempotencyKey,
            mondayItemId = Record?.MondayItemId,
            reason = Record?.LastError,
        };
    }

    private static async Task<int> ShowAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["key", "item"], ["json"]);
        await using var services = CliServices.Open(context);
        services.RequireBoard();
        var ledger = services.Get<ILedger>();
        var entry = await FindAsync(ledger, options, cancellationToken)
            ?? (options.Value("key") is { } key ? await FindArchivedAsync(ledger, services.Get<IStorageBackend>(), ParseKey(key), cancellationToken) : null);
        if (entry is null)
        {
            await context.Error.WriteLineAsync(NotFound(options));
            return 1;
        }

        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(EntryJson(entry), CliServices.Json));
        }
        else
        {
            await WriteEntryAsync(context.Output, entry);
        }

        return 0;
    }

    private static async Task<int> ListAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["status", "owner", "due-before", "limit"], ["json"]);
        LedgerStatus? status = options.Value("status") is { } statusText
            ? LedgerStatusNames.TryParse(statusText, out var parsed) ? parsed : throw new CliUsageException($"--status must be requested, in_progress, blocked or done, got '{statusText}'.")
            : null;
        var limit = options.Int("limit") ?? 100;
        if (limit is < 1 or > 10_000)
        {
            throw new CliUsageException("--limit must be 1..10000.");
        }

        await using var services = CliServices.Open(context);
        services.RequireBoard();
        var entries = await services.Get<ILedger>().QueryAsync(
            new LedgerQuery { Status = status, Owner = options.Value("owner"), DueBefore = ParseDate(options, "due-before"), Limit = limit },
            cancellationToken);
        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(entries.Select(EntryJson), CliServices.Json));
            return 0;
        }

        await context.Output.WriteLineAsync($"{"ITEM",-12} {"STATUS",-12} {"DUE",-10} {"OWNER",-20} TITLE");
        foreach (var entry in entries)
        {
            await context.Output.WriteLineAsync(
                $"{entry.MondayItemId,-12} {entry.Status?.ToWireName() ?? "?",-12} {entry.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-",-10} {Clip(entry.Owner ?? "-", 20),-20} {entry.Title}");
        }

        await context.Output.WriteLineAsync($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}.");
        return 0;
    }

    private static async Task<LedgerEntry?> FindAsync(ILedger ledger, CliArguments options, CancellationToken cancellationToken)
    {
        var key = options.Value("key");
        var item = options.Value("item");
        if ((key is null) == (item is null))
        {
            throw new CliUsageException("Give exactly one of --key KEY or --item ID.");
        }

        if (key is not null)
        {
            return await ledger.FindByKeyAsync(ParseKey(key), cancellationToken);
        }

        if (item is null || item.Length == 0 || !item.All(char.IsAsciiDigit))
        {
            throw new CliUsageException($"--item must be a numeric monday item id, got '{item}'.");
        }

        return (await ledger.GetByIdsAsync([item], cancellationToken)).FirstOrDefault();
    }

    /// <summary>
    /// monday finds items by column value only while they are active. An archived item is found by its id, which the
    /// outbox kept with every confirmed command for that key (for Storage:ConfirmedRetention; through the running bot
    /// when it holds the store).
    /// </summary>
    private static async Task<LedgerEntry?> FindArchivedAsync(ILedger ledger, IOutboxStore outbox, LedgerKey key, CancellationToken cancellationToken)
    {
        var confirmed = await outbox.ListAsync(OutboxState.Confirmed, ConfirmedScanLimit, cancellationToken);
        var itemIds = confirmed
            .Where(r => r.PartitionKey == key.Value && !string.IsNullOrEmpty(r.MondayItemId))
            .Select(r => r.MondayItemId!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return itemIds.Count == 0 ? null : (await ledger.GetByIdsAsync(itemIds, cancellationToken)).FirstOrDefault(e => e.Key == key);
    }

    private static async Task<int> ReportRejectedAsync(CliContext context, IReadOnlyList<LedgerRejected> rejections, bool json)
    {
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                rejections.Select(r => new { outcome = $"rejected_{KindName(r.Kind)}", operation = r.Command.Operation, key = r.Command.Key.Value, reason = r.Reason }),
                CliServices.Json));
        }
        else
        {
            foreach (var rejected in rejections)
            {
                await context.Error.WriteLineAsync($"rejected ({KindName(rejected.Kind)}): {rejected.Command.Operation} {rejected.Command.Key}: {rejected.Reason}");
            }
        }

        return 1;
    }

    private static object EntryJson(LedgerEntry entry) => new
    {
        key = entry.Key.Value,
        mondayItemId = entry.MondayItemId,
        title = entry.Title,
        status = entry.Status?.ToWireName(),
        owner = entry.Owner,
        due = entry.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        escalationLevel = entry.EscalationLevel,
        escalationTrail = entry.EscalationTrail,
        source = entry.Source?.ToWireName(),
        discordChannelId = entry.DiscordChannelId,
        groupId = entry.GroupId,
        group = entry.GroupTitle,
        active = entry.IsActive,
    };

    private static async Task WriteEntryAsync(TextWriter output, LedgerEntry entry)
    {
        await output.WriteLineAsync($"Key:        {entry.Key}");
        await output.WriteLineAsync($"Item:       {entry.MondayItemId}{(entry.IsActive ? string.Empty : " (archived)")}");
        await output.WriteLineAsync($"Title:      {entry.Title}");
        await output.WriteLineAsync($"Status:     {entry.Status?.ToWireName() ?? "(unknown label)"}");
        await output.WriteLineAsync($"Owner:      {entry.Owner ?? "-"}");
        await output.WriteLineAsync($"Due:        {entry.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}");
        await output.WriteLineAsync($"Escalation: {entry.EscalationLevel}");
        foreach (var line in entry.EscalationTrail)
        {
            await output.WriteLineAsync($"            {line}");
        }

        await output.WriteLineAsync($"Source:     {entry.Source?.ToWireName() ?? "-"}");
        await output.WriteLineAsync($"Channel:    {entry.DiscordChannelId ?? "-"}");
        await output.WriteLineAsync($"Group:      {entry.GroupTitle ?? entry.GroupId ?? "-"}");
    }

    private static CliArguments Parse(IReadOnlyList<string> args, string[] values, string[] flags)
    {
        var options = CliArguments.Parse(args, values, flags);
        return options.Positionals.Count > 0 ? throw new CliUsageException($"Unexpected argument '{options.Positionals[0]}'.") : options;
    }

    // monday finds items by column value only while they are active; by id it also finds archived ones.
    private static string NotFound(CliArguments options) => options.Value("key") is { } key
        ? $"error: no ledger entry has key {key} (active on monday, or archived with its confirmation still in the outbox); an older archived entry is found by its monday item id (--item ID)."
        : $"error: monday has no item {options.Value("item")} (deleted, or on another account).";

    private static TimeSpan? ParseWait(CliArguments options)
    {
        if (options.Has("no-wait"))
        {
            return options.Has("wait-seconds") ? throw new CliUsageException("Give --no-wait or --wait-seconds, not both.") : null;
        }

        var seconds = options.Int("wait-seconds") ?? 60;
        return seconds is < 1 or > 3600 ? throw new CliUsageException("--wait-seconds must be 1..3600.") : TimeSpan.FromSeconds(seconds);
    }

    private static LedgerKey ParseKey(string text) =>
        LedgerKey.TryParse(text, out var key, out var error) ? key : throw new CliUsageException($"--key: {error}");

    private static DateOnly? ParseDate(CliArguments options, string name) =>
        options.Value(name) is not { } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new CliUsageException($"--{name} must be a date like 2026-11-30, got '{text}'.");

    private static string KindName(LedgerRejectionKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
