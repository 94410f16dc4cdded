using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Api;

/// <summary>A ledger entry as the API shows it.</summary>
public sealed record ItemView(
    string Key,
    string MondayItemId,
    string Title,
    string? Owner,
    DateOnly? DueDate,
    string? Status,
    string? Group,
    int EscalationLevel,
    IReadOnlyList<string> EscalationTrail,
    string? Source,
    string? DiscordChannelId,
    bool Active)
{
    public static ItemView From(LedgerEntry entry) => new(
        entry.Key.Value,
        entry.MondayItemId,
        entry.Title,
        entry.Owner,
        entry.DueDate,
        entry.Status?.ToWireName(),
        entry.GroupTitle,
        entry.EscalationLevel,
        entry.EscalationTrail,
        entry.Source?.ToWireName(),
        entry.DiscordChannelId,
        entry.IsActive);
}

/// <summary>One page of items; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record ItemPage(IReadOnlyList<ItemView> Items, string? NextCursor);

/// <summary>Where a recorded command stands; <see cref="CommandId"/> is its idempotency key.</summary>
public sealed record CommandView(
    string CommandId,
    string Operation,
    string Key,
    string State,
    int Attempts,
    string? MondayItemId,
    string? Error,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? NextAttemptAt,
    string Location)
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Retrying = "retrying";
    public const string DeadLettered = "dead_lettered";

    public bool IsDeadLettered => State == DeadLettered;

    public static CommandView From(OutboxRecord record) => new(
        record.IdempotencyKey,
        record.CommandKind,
        record.PartitionKey,
        StateOf(record),
        record.Attempts,
        record.MondayItemId,
        record.LastError,
        record.CreatedAt,
        record.NextAttemptAt,
        LedgerApiEndpoints.CommandLocation(record.IdempotencyKey));

    /// <summary>A command recorded in a store this process cannot read back (never the case for the bot; kept honest anyway).</summary>
    public static CommandView Recorded(LedgerCommand command) =>
        new(command.IdempotencyKey, command.Operation, command.Key.Value, Pending, 0, null, null, null, null, LedgerApiEndpoints.CommandLocation(command.IdempotencyKey));

    public static string StateOf(OutboxRecord record) => record switch
    {
        { State: OutboxState.Confirmed } => Confirmed,
        { State: OutboxState.Failed, NextAttemptAt: null } => DeadLettered,
        { State: OutboxState.Failed } => Retrying,
        _ => Pending,
    };
}

/// <summary>The answer to a write: every command it recorded (a PATCH can record a details and a status change).</summary>
public sealed record CommandsAccepted(IReadOnlyList<CommandView> Commands);
