using System.Globalization;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary>
/// What every /ledger write shares: the authority and read-only checks, recording its commands in the outbox under
/// <c>interaction:&lt;id&gt;</c> exactly once, resolving an owner, and naming the actor.
/// </summary>
public sealed class LedgerWrites(
    LedgerIngestion ingestion,
    SurfaceAuthority authority,
    SurfaceJournal journal,
    IDedupeStore dedupe,
    OwnerDirectory owners,
    TimeProvider time)
{
    /// <summary>How long an interaction id is remembered: Discord never redelivers one later than its token's 15 minutes.</summary>
    public static readonly TimeSpan DedupeWindow = TimeSpan.FromHours(1);

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public DateTimeOffset Now => time.GetUtcNow();

    public (Interaction Interaction, ApplicationCommandData Options) Begin(InteractionContext context, SurfaceRight right)
    {
        ArgumentNullException.ThrowIfNull(context);
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
    public async Task<InteractionResponse> RecordAsync(
        InteractionContext context,
        IReadOnlyList<LedgerCommand> commands,
        string summary,
        OwnerNotice notice,
        CancellationToken cancellationToken,
        Action? onRecorded)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(commands);
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
                // Journal first: a fast confirmation must find who made the change. Its durable copy and the outbox
                // append are written together, so they share the store's group commit instead of paying two.
                var authorship = journal.AddAsync(command.IdempotencyKey, new SurfaceChange(channel, interaction.User?.Id ?? 0, actorName, summary, command == commands[0] ? notice : OwnerNotice.None, context), cancellationToken);
                await Task.WhenAll(authorship, ingestion.RecordAsync(command, cancellationToken));
            }
        }
        catch (LedgerCommandRejectedException rejected)
        {
            await ForgetAsync(commands, cancellationToken);
            throw new InteractionInputException($"{rejected.Rejection.Reason} Nothing was recorded.");
        }
        catch (LedgerReadOnlyException readOnly)
        {
            await ForgetAsync(commands, cancellationToken);
            throw new InteractionInputException(readOnly.Message);
        }

        onRecorded?.Invoke();
        return InteractionResponse.Text($"Recorded: {commands[0].Key.Value} {summary}. The card follows as soon as monday confirms.", ephemeral: true);
    }

    /// <summary>A refused command will never be confirmed: its authorship must not linger in the store.</summary>
    private async Task ForgetAsync(IReadOnlyList<LedgerCommand> commands, CancellationToken cancellationToken)
    {
        foreach (var command in commands)
        {
            await journal.TakeAsync(command.IdempotencyKey, cancellationToken);
        }
    }

    /// <summary>An owner typed as a mention, a Discord id, "me", a linked name or email; unmapped owners get how to link.</summary>
    public (ulong DiscordUserId, MondayPerson Person) ResolveOwner(string text, Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(interaction);
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

    public static string? ItemIdOf(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return string.IsNullOrEmpty(entry.MondayItemId) ? null : entry.MondayItemId;
    }

    public static string IdempotencyKeyOf(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return "interaction:" + Snowflake.ToWire(interaction.Id);
    }

    public static string ActorOf(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return interaction.User is { } user ? $"{user.DisplayName} (Discord {Snowflake.ToWire(user.Id)})" : "someone";
    }
}
