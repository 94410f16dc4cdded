using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;

namespace DiscordLedgerBot.Cli;

/// <summary><c>bot ledger create|update|show|list</c>: operator access to the ledger through the same facade the bot uses.</summary>
public sealed class LedgerCliCommand : ICliCommand
{
    public string Verb => "ledger";

    public string Summary => "Create, update, show and list ledger entries on monday";

    public string Usage => """
        usage: bot ledger create --title TEXT [--owner TEXT] [--due YYYY-MM-DD] [--channel ID] [--key KEY] [--json]
               bot ledger update (--key KEY | --item ID) [--status STATUS] [--title TEXT] [--owner TEXT | --clear-owner]
                                 [--due YYYY-MM-DD | --clear-due] [--comment TEXT] [--follow-up TEXT] [--move GROUP]
                                 [--archive] [--id IDEMPOTENCY-KEY] [--json]
               bot ledger show (--key KEY | --item ID) [--json]
               bot ledger list [--status STATUS] [--owner TEXT] [--due-before YYYY-MM-DD] [--limit N] [--json]
          STATUS: requested, in_progress, blocked, done   GROUP: requested, active, blocked, escalated, done
          Legal status moves: requested→in_progress, in_progress⇄blocked, in_progress→done, blocked→done, done→requested.
          --key defaults to cli:<random id>; --id (update) defaults to a fresh id — pass your own to make a retry safe.
        exit codes: 0 done, 1 rejected by the ledger or monday (nothing changed), 2 usage or configuration error
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
        try
        {
            return args[0] switch
            {
                "create" => await CreateAsync(context, rest, cancellationToken),
                "update" => await UpdateAsync(context, rest, cancellationToken),
                "show" => await ShowAsync(context, rest, cancellationToken),
                "list" => await ListAsync(context, rest, cancellationToken),
                _ => throw new CliUsageException($"Unknown subcommand '{args[0]}'; use create, update, show or list."),
            };
        }
        catch (MondayRequestException failure)
        {
            await context.Error.WriteLineAsync($"error: {failure.Message}");
            return 1;
        }
    }

    private static async Task<int> CreateAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["title", "owner", "due", "channel", "key"], ["json"]);
        var key = options.Value("key") is { } given ? ParseKey(given) : LedgerKey.FromOrigin(LedgerSource.Cli, Guid.NewGuid().ToString("N"));
        var command = new CreateLedgerEntry(key.Value, key, options.Required("title"), LedgerSource.Cli)
        {
            Owner = options.Value("owner"),
            DueDate = ParseDate(options, "due"),
            DiscordChannelId = options.Value("channel"),
        };
        if (LedgerCommandValidator.Validate(command) is { } invalid)
        {
            return await ReportAsync(context, [invalid], options.Has("json"));
        }

        using var connection = LedgerCliConnection.Open(context);
        var result = await connection.Ledger.ExecuteAsync(command, cancellationToken);
        return await ReportAsync(context, [result], options.Has("json"));
    }

    private static async Task<int> UpdateAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["key", "item", "status", "title", "owner", "due", "comment", "follow-up", "move", "id"], ["clear-owner", "clear-due", "archive", "json"]);
        var json = options.Has("json");
        var idempotency = options.Value("id") ?? $"cli:{Guid.NewGuid():N}";
        LedgerStatus? status = options.Value("status") is { } statusText
            ? LedgerStatusNames.TryParse(statusText, out var parsedStatus) ? parsedStatus : throw new CliUsageException($"--status must be requested, in_progress, blocked or done, got '{statusText}'.")
            : null;
        LedgerGroup? group = options.Value("move") is { } groupText
            ? LedgerGroupNames.TryParse(groupText, out var parsedGroup) ? parsedGroup : throw new CliUsageException($"--move must be requested, active, blocked, escalated or done, got '{groupText}'.")
            : null;
        var due = ParseDate(options, "due");
        var wantsDetails = options.Value("title") is not null || options.Value("owner") is not null || due is not null || options.Has("clear-owner") || options.Has("clear-due");
        if (status is null && group is null && !wantsDetails && options.Value("comment") is null && options.Value("follow-up") is null && !options.Has("archive"))
        {
            throw new CliUsageException("Nothing to update: give --status, --title, --owner, --due, --comment, --follow-up, --move or --archive.");
        }

        using var connection = LedgerCliConnection.Open(context);
        // Read the entry first: its item id targets the writes and its real status is the "from" of a status change,
        // so an illegal move is refused before anything is sent.
        var entry = await FindAsync(connection.Ledger, options, cancellationToken);
        if (entry is null)
        {
            await context.Error.WriteLineAsync("error: no such ledger entry.");
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

        var invalid = commands.Select(LedgerCommandValidator.Validate).OfType<LedgerResult>().ToList();
        if (invalid.Count > 0)
        {
            return await ReportAsync(context, invalid, json);
        }

        var results = await connection.Ledger.ExecuteBatchAsync(commands, cancellationToken);
        return await ReportAsync(context, results, json);
    }

    private static async Task<int> ShowAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = Parse(args, ["key", "item"], ["json"]);
        using var connection = LedgerCliConnection.Open(context);
        var entry = await FindAsync(connection.Ledger, options, cancellationToken);
        if (entry is null)
        {
            await context.Error.WriteLineAsync("error: no such ledger entry.");
            return 1;
        }

        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(EntryJson(entry), LedgerCliConnection.Json));
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

        using var connection = LedgerCliConnection.Open(context);
        var entries = await connection.Ledger.QueryAsync(
            new LedgerQuery { Status = status, Owner = options.Value("owner"), DueBefore = ParseDate(options, "due-before"), Limit = limit },
            cancellationToken);
        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(entries.Select(EntryJson), LedgerCliConnection.Json));
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

    private static async Task<LedgerEntry?> FindAsync(MondayLedger ledger, CliArguments options, CancellationToken cancellationToken)
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

    private static async Task<int> ReportAsync(CliContext context, IReadOnlyList<LedgerResult> results, bool json)
    {
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(results.Select(ResultJson), LedgerCliConnection.Json));
        }
        else
        {
            foreach (var result in results)
            {
                var line = result switch
                {
                    LedgerApplied applied => $"ok: {result.Command.Operation} {result.Command.Key} → monday item {applied.MondayItemId}{(applied.Replayed ? " (already applied)" : string.Empty)}",
                    LedgerRejected rejected => $"rejected ({KindName(rejected.Kind)}): {result.Command.Operation} {result.Command.Key}: {rejected.Reason}",
                    LedgerRetryable retryable => $"not applied, temporary failure: {result.Command.Operation} {result.Command.Key}: {retryable.Reason} — run the same command again{(retryable.RetryAfter is { } wait ? $" after {wait.TotalSeconds:0}s" : string.Empty)}",
                    _ => result.ToString(),
                };
                await (result is LedgerApplied ? context.Output : context.Error).WriteLineAsync(line);
            }
        }

        return results.All(r => r is LedgerApplied) ? 0 : 1;
    }

    private static object ResultJson(LedgerResult result) => result switch
    {
        LedgerApplied applied => new { outcome = "applied", operation = result.Command.Operation, key = result.Command.Key.Value, mondayItemId = (string?)applied.MondayItemId, replayed = applied.Replayed, reason = (string?)null },
        LedgerRejected rejected => new { outcome = $"rejected_{KindName(rejected.Kind)}", operation = result.Command.Operation, key = result.Command.Key.Value, mondayItemId = result.Command.MondayItemId, replayed = false, reason = (string?)rejected.Reason },
        LedgerRetryable retryable => new { outcome = "retryable", operation = result.Command.Operation, key = result.Command.Key.Value, mondayItemId = result.Command.MondayItemId, replayed = false, reason = (string?)retryable.Reason },
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

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
        await output.WriteLineAsync($"Group:      {entry.GroupId ?? "-"}");
    }

    private static CliArguments Parse(IReadOnlyList<string> args, string[] values, string[] flags)
    {
        var options = CliArguments.Parse(args, values, flags);
        return options.Positionals.Count > 0 ? throw new CliUsageException($"Unexpected argument '{options.Positionals[0]}'.") : options;
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
