using System.Globalization;
using System.Text;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// /ledger: each subcommand turns an interaction into ledger commands recorded in the outbox under
/// <c>interaction:&lt;id&gt;</c> and answers "recorded" at once; the card follows from <see cref="CardResponder"/> when
/// monday confirms. Reads (show, list) go to monday or the local index. Nothing here talks to monday to write.
/// </summary>
public sealed class LedgerModule(
    LedgerIngestion ingestion,
    LedgerItemIndex index,
    OwnerDirectory owners,
    SurfaceJournal journal,
    CardStore cards,
    SurfaceAuthority authority,
    IDedupeStore dedupe,
    ILedger ledger,
    ItemDetailsReader details,
    LedgerBoardProvisioner provisioner,
    IOptions<MondayOptions> monday,
    ItemLinks links,
    TimeProvider time)
{
    /// <summary>How long an interaction id is remembered: Discord never redelivers one later than its token's 15 minutes.</summary>
    public static readonly TimeSpan DedupeWindow = TimeSpan.FromHours(1);

    public const string ListPagePrefix = "ledger:list:";
    private const int PageSize = 10;

    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var write = new InteractionRouteOptions(DeferEphemeral: true);
        router.MapCommand("ledger create", CreateAsync, write)
            .MapCommand("ledger status", StatusAsync, write)
            .MapCommand("ledger assign", AssignAsync, write)
            .MapCommand("ledger due", DueAsync, write)
            .MapCommand("ledger note", NoteAsync, write)
            .MapCommand("ledger followup", FollowUpAsync, write)
            .MapCommand("ledger show", ShowAsync, write)
            .MapCommand("ledger list", ListAsync, write)
            .MapCommand("ledger link", LinkAsync, write)
            .MapCommand("ledger notify", NotifyAsync, write)
            .MapCommand("ledger setup", SetupAsync, write)
            .MapAutocomplete("ledger", AutocompleteAsync)
            .MapComponent(ListPagePrefix, ListPageAsync);
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private async Task<InteractionResponse> CreateAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = Begin(context, SurfaceRight.Write);
        var title = SurfaceText.Clean(options.GetString("title"), "Title", LedgerCommandValidator.MaxTitleLength);
        (ulong DiscordUserId, MondayPerson Person)? owner = options.GetString("owner") is { } ownerText ? ResolveOwner(ownerText, interaction) : null;
        DateOnly? due = options.GetString("due") is { } dueText ? SurfaceText.DueDate(dueText, Today) : null;
        var description = options.GetString("description") is { } text ? SurfaceText.Clean(text, "Description", 4000, singleLine: false) : null;
        var priority = options.GetString("priority");
        var key = LedgerKey.FromOrigin(LedgerSource.Slash, Snowflake.ToWire(interaction.Id));
        var idempotencyKey = IdempotencyKeyOf(interaction);
        List<LedgerCommand> commands =
        [
            new CreateLedgerEntry(idempotencyKey, key, title, LedgerSource.Slash)
            {
                Owner = owner?.Person.Name,
                DueDate = due,
                DiscordChannelId = interaction.ChannelId is { } channel ? Snowflake.ToWire(channel) : null,
            },
        ];
        if (description is not null || priority is not null)
        {
            var body = (priority is null ? string.Empty : $"Priority: {priority}\n") + (description ?? string.Empty);
            commands.Add(new CommentOnLedgerEntry(idempotencyKey + ":description", key, body.Trim()));
        }

        return await RecordAsync(context, commands, $"created{(owner is null ? string.Empty : $" for {owner.Value.Person.Name}")}", owner is null ? OwnerNotice.None : OwnerNotice.Assigned, cancellationToken, () => index.Upsert(new LedgerEntry
        {
            Key = key,
            MondayItemId = string.Empty,
            Title = title,
            Owner = owner?.Person.Name,
            DueDate = due,
            Status = LedgerStatus.Requested,
            Source = LedgerSource.Slash,
            DiscordChannelId = interaction.ChannelId is { } c ? Snowflake.ToWire(c) : null,
        }));
    }

    private async Task<InteractionResponse> StatusAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var to = SurfaceText.Status(options.GetString("status"));
        var reason = options.GetString("reason") is { } reasonText ? SurfaceText.Clean(reasonText, "Reason", 1000) : null;
        var from = entry.Status
            ?? throw new InteractionInputException($"'{entry.Title}' has a status on monday the ledger does not know; fix it on the board first.");
        if (LedgerStatusMachine.RejectionReason(from, to) is { } illegal)
        {
            throw new InteractionInputException(illegal + " Nothing was recorded.");
        }

        if (to == LedgerStatus.Blocked && reason is null)
        {
            throw new InteractionInputException("Say what blocks it: add the reason option (it is shown on the card and notified to the owner).");
        }

        var idempotencyKey = IdempotencyKeyOf(interaction);
        List<LedgerCommand> commands = [new ChangeLedgerStatus(idempotencyKey, entry.Key, from, to) { MondayItemId = ItemIdOf(entry) }];
        if (reason is not null)
        {
            commands.Add(new CommentOnLedgerEntry(idempotencyKey + ":reason", entry.Key, $"Status {from.ToWireName()} → {to.ToWireName()} by {ActorOf(interaction)}: {reason}") { MondayItemId = ItemIdOf(entry) });
        }

        var summary = $"status {from.Label()} → {to.Label()}" + (reason is null ? string.Empty : $" ({reason})");
        var notice = to switch
        {
            LedgerStatus.Blocked => OwnerNotice.Blocked,
            LedgerStatus.Done => OwnerNotice.Done,
            _ => OwnerNotice.None,
        };
        return await RecordAsync(context, commands, summary, notice, cancellationToken, () => index.Update(entry.Key, e => e with { Status = to }));
    }

    private async Task<InteractionResponse> AssignAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var owner = ResolveOwner(options.GetString("owner") ?? string.Empty, interaction);
        var command = new UpdateLedgerDetails(IdempotencyKeyOf(interaction), entry.Key) { Owner = owner.Person.Name, MondayItemId = ItemIdOf(entry) };
        return await RecordAsync(context, [command], $"assigned to {owner.Person.Name}", OwnerNotice.Assigned, cancellationToken, () => index.Update(entry.Key, e => e with { Owner = owner.Person.Name }));
    }

    private async Task<InteractionResponse> DueAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var due = SurfaceText.DueDate(options.GetString("date"), Today);
        var command = new UpdateLedgerDetails(IdempotencyKeyOf(interaction), entry.Key) { DueDate = due, MondayItemId = ItemIdOf(entry) };
        return await RecordAsync(context, [command], $"due {due:yyyy-MM-dd}", OwnerNotice.None, cancellationToken, () => index.Update(entry.Key, e => e with { DueDate = due }));
    }

    private async Task<InteractionResponse> NoteAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var text = SurfaceText.Clean(options.GetString("text"), "Note", 4000, singleLine: false);
        var command = new CommentOnLedgerEntry(IdempotencyKeyOf(interaction), entry.Key, $"{text}\n— {ActorOf(interaction)} via Discord") { MondayItemId = ItemIdOf(entry) };
        return await RecordAsync(context, [command], "note added", OwnerNotice.None, cancellationToken, null);
    }

    private async Task<InteractionResponse> FollowUpAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var title = SurfaceText.Clean(options.GetString("title"), "Follow-up title", 200);
        (ulong DiscordUserId, MondayPerson Person)? owner = options.GetString("owner") is { } ownerText ? ResolveOwner(ownerText, interaction) : null;
        DateOnly? due = options.GetString("due") is { } dueText ? SurfaceText.DueDate(dueText, Today) : null;

        // The subitem carries owner and due in its name: the ledger's follow-up command has no columns of its own yet.
        var name = title
            + (owner is null ? string.Empty : $" — {owner.Value.Person.Name}")
            + (due is null ? string.Empty : $" — due {due:yyyy-MM-dd}");
        var command = new AddLedgerFollowUp(IdempotencyKeyOf(interaction), entry.Key, name) { MondayItemId = ItemIdOf(entry) };
        return await RecordAsync(context, [command], $"follow-up \"{title}\" added", OwnerNotice.None, cancellationToken, null);
    }

    private async Task<InteractionResponse> ShowAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var entry = await index.ResolveAsync(interaction.Command!.GetString("item"), cancellationToken);
        if (string.IsNullOrEmpty(entry.MondayItemId))
        {
            return InteractionResponse.Text($"'{entry.Title}' is recorded and waiting for monday to confirm it; try again in a moment.", ephemeral: true);
        }

        var fresh = (await ledger.GetByIdsAsync([entry.MondayItemId], cancellationToken)).FirstOrDefault() ?? entry;
        index.Upsert(fresh);
        var itemDetails = await details.ReadAsync(fresh.MondayItemId, cancellationToken);
        var location = await cards.FindAsync(fresh.Key.Value, cancellationToken);
        var card = ItemCard.Render(fresh, links.For(fresh.MondayItemId), location?.LastChange ?? "—", owners.DiscordUserFor(fresh.Owner), Today);
        var history = new EmbedBuilder().WithTitle("Notes and follow-ups");
        history.AddField($"Notes ({itemDetails.Notes.Count})", itemDetails.Notes.Count == 0 ? "none" : string.Join("\n\n", itemDetails.Notes.Take(5).Select(n => $"{n.CreatedAt}: {n.Body}")));
        history.AddField($"Follow-ups ({itemDetails.FollowUps.Count})", itemDetails.FollowUps.Count == 0 ? "none" : string.Join('\n', itemDetails.FollowUps.Select(f => "• " + f)));
        return InteractionResponse.Message(new MessageBuilder().AddEmbed(card).AddEmbed(history.Build()).AsEphemeral().Build());
    }

    private async Task<InteractionResponse> ListAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var options = context.Interaction.Command!;
        var filter = new ListFilter(
            options.GetBoolean("mine") == true,
            options.GetString("status") is { } status ? SurfaceText.Status(status) : null,
            options.GetBoolean("overdue") == true,
            options.GetBoolean("here") == true);
        return InteractionResponse.Message(await ListPageMessageAsync(context.Interaction, filter, 0, cancellationToken));
    }

    private async Task<InteractionResponse> ListPageAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        // ledger:list:<page>:<filter> — only what to show; "mine" and "here" mean the clicker and the clicked channel.
        var parts = context.Interaction.Component!.CustomId[ListPagePrefix.Length..].Split(':', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var page) || ListFilter.Parse(parts[1]) is not { } filter)
        {
            throw new InteractionInputException("This page button is not one the ledger bot made. Run /ledger list again.");
        }

        return InteractionResponse.UpdateMessage(await ListPageMessageAsync(context.Interaction, filter, page, cancellationToken));
    }

    private async Task<MessagePayload> ListPageMessageAsync(Interaction interaction, ListFilter filter, int page, CancellationToken cancellationToken)
    {
        string? ownerName = null;
        if (filter.Mine)
        {
            ownerName = (interaction.User is { } user ? owners.Find(user.Id)?.Name : null)
                ?? throw new InteractionInputException(OwnerDirectory.HowToLink("You are").Replace("they run", "run", StringComparison.Ordinal).Replace(" so the item would have no owner.", " so the ledger cannot tell which items are yours.", StringComparison.Ordinal));
        }

        var entries = await ledger.QueryAsync(new LedgerQuery { Status = filter.Status, Owner = ownerName, DueBefore = filter.Overdue ? Today : null, Limit = 500 }, cancellationToken);
        foreach (var entry in entries)
        {
            index.Upsert(entry);
        }

        var channel = interaction.ChannelId is { } id ? Snowflake.ToWire(id) : null;
        var shown = entries
            .Where(e => !filter.Overdue || e.Status != LedgerStatus.Done)
            .Where(e => !filter.Here || e.DiscordChannelId == channel)
            .OrderBy(e => e.DueDate ?? DateOnly.MaxValue)
            .ThenBy(e => e.Title, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var pages = Math.Max(1, (shown.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 0, pages - 1);
        var text = new StringBuilder();
        foreach (var entry in shown.Skip(page * PageSize).Take(PageSize))
        {
            text.Append(CultureInfo.InvariantCulture, $"**[{entry.Title}]({links.For(entry.MondayItemId)})** · {entry.Status?.Label() ?? "?"} · {entry.Owner ?? "unassigned"}")
                .Append(entry.DueDate is { } due ? $" · due {due:yyyy-MM-dd}" : string.Empty)
                .AppendLine();
        }

        var builder = new MessageBuilder().AsEphemeral().AddEmbed(embed => embed
            .WithTitle($"Ledger: {shown.Count} item(s){filter.Describe()}")
            .WithDescription(shown.Count == 0 ? "Nothing matches." : text.ToString())
            .WithFooter($"Page {page + 1} of {pages}"));
        if (pages > 1)
        {
            builder.AddActionRow(row => row
                .AddButton($"{ListPagePrefix}{page - 1}:{filter.Code}", "Previous", ButtonStyle.Secondary, disabled: page == 0)
                .AddButton($"{ListPagePrefix}{page + 1}:{filter.Code}", "Next", ButtonStyle.Secondary, disabled: page == pages - 1));
        }

        return builder.Build();
    }

    private async Task<InteractionResponse> LinkAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var user = interaction.User ?? throw new InteractionInputException("Only a person can link their account.");
        var email = SurfaceText.Clean(interaction.Command!.GetString("email"), "Email", 254);
        var person = await owners.LinkAsync(user.Id, email, cancellationToken);
        return InteractionResponse.Text($"Linked: you are {person.Name} ({person.Email}) on monday. Items you own will show you, and you will be told what needs you.", ephemeral: true);
    }

    private async Task<InteractionResponse> NotifyAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        authority.Require(interaction, SurfaceRight.Override);
        var channel = interaction.ChannelId ?? throw new InteractionInputException("Run /ledger notify in the channel it should apply to.");
        var mode = interaction.Command!.GetString("mode") switch
        {
            "card" => NotifyMode.Card,
            "thread" => NotifyMode.Thread,
            "digest" => NotifyMode.Digest,
            var other => throw new InteractionInputException($"'{other}' is not a notify mode: use card, thread or digest."),
        };
        await cards.SetModeAsync(Snowflake.ToWire(channel), mode, cancellationToken);
        return InteractionResponse.Text($"This channel now uses '{mode.ToString().ToLowerInvariant()}' notifications.", ephemeral: true);
    }

    private async Task<InteractionResponse> SetupAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        authority.Require(context.Interaction, SurfaceRight.Setup);
        var validation = await provisioner.ValidateAsync(monday.Value.BoardId, cancellationToken);
        if (validation.Matches)
        {
            return InteractionResponse.Text($"The ledger board {validation.BoardId} matches the schema; nothing to do.", ephemeral: true);
        }

        var problems = validation.Board is null
            ? $"monday has no board {validation.BoardId}."
            : string.Join('\n', validation.Drift.Select(d => "• " + d));
        return InteractionResponse.Text($"The ledger board needs attention:\n{problems}\nFix those columns/groups on monday, or have an operator create a conforming board with `./run.sh provision` and set Monday:BoardId to it.", ephemeral: true);
    }

    private Task<InteractionResponse> AutocompleteAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var command = context.Interaction.Command!;
        var focused = command.Focused;
        var typed = focused?.Value is { ValueKind: System.Text.Json.JsonValueKind.String } value ? value.GetString() : null;
        IEnumerable<AutocompleteChoice> choices = focused?.Name switch
        {
            "item" => index.Search(typed, DiscordLimits.AutocompleteChoices)
                .Select(e => new AutocompleteChoice($"{e.Title} · {e.Status?.Label() ?? "?"}", e.Key.Value)),
            "owner" => owners.All
                .Where(link => string.IsNullOrEmpty(typed) || link.Person.Name.Contains(typed, StringComparison.OrdinalIgnoreCase) || link.Person.Email.Contains(typed, StringComparison.OrdinalIgnoreCase))
                .Select(link => new AutocompleteChoice($"{link.Person.Name} ({link.Person.Email})", Snowflake.ToWire(link.DiscordUserId))),
            _ => [],
        };
        return Task.FromResult(InteractionResponse.Autocomplete(choices));
    }

    private (Interaction Interaction, ApplicationCommandData Options) Begin(InteractionContext context, SurfaceRight right)
    {
        var interaction = context.Interaction;
        authority.Require(interaction, right);
        if (ingestion.IsReadOnly)
        {
            throw new InteractionInputException("The ledger is in read-only mode right now; nothing was recorded. Try again once an operator turns writes back on.");
        }

        return (interaction, interaction.Command!);
    }

    /// <summary>
    /// Records the commands (one interaction → one or more, keyed from its id) after checking the interaction was not
    /// seen before: a redelivery (gateway resume, HTTP retry) answers without recording anything again.
    /// </summary>
    private async Task<InteractionResponse> RecordAsync(
        InteractionContext context,
        IReadOnlyList<LedgerCommand> commands,
        string summary,
        OwnerNotice notice,
        CancellationToken cancellationToken,
        Action? onRecorded)
    {
        var interaction = context.Interaction;
        if (!await dedupe.TryMarkAsync(IdempotencyKeyOf(interaction), DedupeWindow, cancellationToken))
        {
            return InteractionResponse.Text("This interaction was already handled; nothing was recorded twice.", ephemeral: true);
        }

        var channel = interaction.ChannelId is { } id ? Snowflake.ToWire(id) : string.Empty;
        var actorName = interaction.User?.DisplayName ?? "someone";
        try
        {
            foreach (var command in commands)
            {
                // Journal first: a fast confirmation must find who made the change.
                journal.Add(command.IdempotencyKey, new SurfaceChange(channel, interaction.User?.Id ?? 0, actorName, summary, command == commands[0] ? notice : OwnerNotice.None, context));
                await ingestion.RecordAsync(command, cancellationToken);
            }
        }
        catch (LedgerCommandRejectedException rejected)
        {
            throw new InteractionInputException($"{rejected.Rejection.Reason} Nothing was recorded.");
        }
        catch (LedgerReadOnlyException readOnly)
        {
            throw new InteractionInputException(readOnly.Message);
        }

        onRecorded?.Invoke();
        return InteractionResponse.Text($"Recorded: {commands[0].Key.Value} {summary}. The card follows as soon as monday confirms.", ephemeral: true);
    }

    private (ulong DiscordUserId, MondayPerson Person) ResolveOwner(string text, Interaction interaction)
    {
        var trimmed = text.Trim();
        var digits = trimmed.TrimStart('<', '@', '!').TrimEnd('>');
        if (string.Equals(trimmed, "me", StringComparison.OrdinalIgnoreCase) && interaction.User is { } me)
        {
            digits = Snowflake.ToWire(me.Id);
        }

        if (digits.Length is > 0 and <= 20 && digits.All(char.IsAsciiDigit) && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var discordId))
        {
            return owners.Find(discordId) is { } person ? (discordId, person) : throw new InteractionInputException(OwnerDirectory.HowToLink($"<@{discordId}>"));
        }

        var byName = owners.All.Where(link => string.Equals(link.Person.Name, trimmed, StringComparison.OrdinalIgnoreCase) || string.Equals(link.Person.Email, trimmed, StringComparison.OrdinalIgnoreCase)).ToList();
        return byName.Count == 1 ? byName[0] : throw new InteractionInputException(OwnerDirectory.HowToLink($"'{SurfaceText.Clean(trimmed, "Owner", 100)}'"));
    }

    private static string? ItemIdOf(LedgerEntry entry) => string.IsNullOrEmpty(entry.MondayItemId) ? null : entry.MondayItemId;

    public static string IdempotencyKeyOf(Interaction interaction) => "interaction:" + Snowflake.ToWire(interaction.Id);

    private static string ActorOf(Interaction interaction) =>
        interaction.User is { } user ? $"{user.DisplayName} (Discord {Snowflake.ToWire(user.Id)})" : "someone";

    private sealed record ListFilter(bool Mine, LedgerStatus? Status, bool Overdue, bool Here)
    {
        public string Code => $"{(Mine ? "m" : "-")}{Status?.ToWireName() ?? "-"}{(Overdue ? "o" : "-")}{(Here ? "h" : "-")}";

        public string Describe() =>
            (Mine ? " · mine" : string.Empty) + (Status is { } s ? $" · {s.Label()}" : string.Empty) + (Overdue ? " · overdue" : string.Empty) + (Here ? " · this channel" : string.Empty);

        public static ListFilter? Parse(string code)
        {
            if (code.Length < 4)
            {
                return null;
            }

            var statusText = code[1..^2];
            LedgerStatus? status = null;
            if (statusText != "-")
            {
                if (!LedgerStatusNames.TryParse(statusText, out var parsed))
                {
                    return null;
                }

                status = parsed;
            }

            return new ListFilter(code[0] == 'm', status, code[^2] == 'o', code[^1] == 'h');
        }
    }
}
