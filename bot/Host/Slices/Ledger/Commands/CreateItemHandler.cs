using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger create</c>: a new item (title, optional owner, due, description, priority) keyed from the interaction.</summary>
public sealed class CreateItemHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Write);
        var title = SurfaceText.Clean(options.GetString("title"), "Title", LedgerCommandValidator.MaxTitleLength);
        (ulong DiscordUserId, MondayPerson Person)? owner = options.GetString("owner") is { } ownerText ? writes.ResolveOwner(ownerText, interaction) : null;
        DateOnly? due = options.GetString("due") is { } dueText ? SurfaceText.DueDate(dueText, writes.Today) : null;
        var description = options.GetString("description") is { } text ? SurfaceText.Clean(text, "Description", 4000, singleLine: false) : null;
        var priority = options.GetString("priority");
        var key = LedgerKey.FromOrigin(LedgerSource.Slash, Snowflake.ToWire(interaction.Id));
        var idempotencyKey = LedgerWrites.IdempotencyKeyOf(interaction);
        var channel = interaction.ChannelId is { } channelId ? Snowflake.ToWire(channelId) : null;
        List<LedgerCommand> commands =
        [
            new CreateLedgerEntry(idempotencyKey, key, title, LedgerSource.Slash)
            {
                Owner = owner?.Person.Name,
                DueDate = due,
                DiscordChannelId = channel,
            },
        ];
        if (description is not null || priority is not null)
        {
            var body = (priority is null ? string.Empty : $"Priority: {priority}\n") + (description ?? string.Empty);
            commands.Add(new CommentOnLedgerEntry(idempotencyKey + ":description", key, body.Trim()));
        }

        var summary = $"created{(owner is null ? string.Empty : $" for {owner.Value.Person.Name}")}";
        return await writes.RecordAsync(context, commands, summary, owner is null ? OwnerNotice.None : OwnerNotice.Assigned, cancellationToken, () => index.Upsert(new LedgerEntry
        {
            Key = key,
            MondayItemId = string.Empty,
            Title = title,
            Owner = owner?.Person.Name,
            DueDate = due,
            Status = LedgerStatus.Requested,
            Source = LedgerSource.Slash,
            DiscordChannelId = channel,
        }));
    }
}
