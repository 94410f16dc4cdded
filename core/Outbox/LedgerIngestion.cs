using System.Diagnostics;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>The command is durably in the outbox. <paramref name="IsDuplicate"/>: its idempotency key was already recorded (a retry of the same origin).</summary>
public sealed record LedgerRecorded(string IdempotencyKey, LedgerKey Key, OutboxState State, bool IsDuplicate);

/// <summary>
/// The entry point of every surface (slash, voice, MCP, API, CLI): validates a command, appends it to the durable
/// outbox under its origin's idempotency key and answers "recorded" at once. The outcome arrives later as an
/// <see cref="OutboxOutcome"/> once the flusher heard from monday.
/// </summary>
/// <param name="bus">Where <see cref="OutboxCommandRecorded"/> is published (the event stream's item.created/changed); none for tools.</param>
public sealed partial class LedgerIngestion(IOutboxStore store, IOptionsMonitor<LedgerOptions> options, ILogger<LedgerIngestion> logger, IEventBus? bus = null)
{
    /// <summary>An always-writable ingestion, for code that runs the outbox without configuration (tools, tests).</summary>
    public LedgerIngestion(IOutboxStore store, ILogger<LedgerIngestion> logger)
        : this(store, new StaticOptionsMonitor<LedgerOptions>(new LedgerOptions()), logger)
    {
    }

    /// <summary>Whether writes are refused (<see cref="LedgerOptions.ReadOnly"/>); surfaces check it to refuse before asking anything.</summary>
    public bool IsReadOnly => options.CurrentValue.ReadOnly;

    /// <summary>
    /// Records <paramref name="command"/>. Throws <see cref="LedgerReadOnlyException"/> in read-only mode, <see cref="LedgerCommandRejectedException"/> for a command that can never
    /// succeed (nothing is recorded) and <see cref="OutboxIdempotencyConflictException"/> when its idempotency key already
    /// belongs to a different command.
    /// </summary>
    public async Task<LedgerRecorded> RecordAsync(LedgerCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsReadOnly)
        {
            throw new LedgerReadOnlyException();
        }

        if (LedgerCommandValidator.Validate(command) is { } rejected)
        {
            throw new LedgerCommandRejectedException(rejected);
        }

        var payload = OutboxCommandCodec.Serialize(command);
        var append = new OutboxAppend(command.IdempotencyKey, PartitionKeyOf(command), command.Operation, OutboxCommandCodec.WithOrigin(payload, Activity.Current?.Context ?? default));
        var result = await store.AppendAsync(append, cancellationToken).ConfigureAwait(false);
        var record = result.Record;
        // A retry of the same command from another request carries another trace context: only the command counts.
        if (!result.Created && (record.CommandKind != append.CommandKind || record.PartitionKey != append.PartitionKey || OutboxCommandCodec.WithoutOrigin(record.PayloadJson) != payload))
        {
            throw new OutboxIdempotencyConflictException(record, command);
        }

        if (result.Created)
        {
            LogRecorded(logger, record.IdempotencyKey, record.CommandKind, record.PartitionKey);
            bus?.Publish(new OutboxCommandRecorded(record.IdempotencyKey, record.PartitionKey, record.CommandKind));
        }

        return new LedgerRecorded(record.IdempotencyKey, command.Key, record.State, IsDuplicate: !result.Created);
    }

    /// <summary>The ordering scope: every command about one ledger entry goes through one partition, in append order.</summary>
    public static string PartitionKeyOf(LedgerCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Key.Value;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recorded {IdempotencyKey} ({Kind}) for {LedgerKey}")]
    private static partial void LogRecorded(ILogger logger, string idempotencyKey, string kind, string ledgerKey);
}

/// <summary>The command breaks an input rule; nothing was recorded. <see cref="Rejection"/> says which.</summary>
public sealed class LedgerCommandRejectedException(LedgerRejected rejection)
    : Exception($"Command {rejection.Command.IdempotencyKey} was not recorded: {rejection.Reason}")
{
    public LedgerRejected Rejection { get; } = rejection;
}

/// <summary>The idempotency key was already recorded for a different command; nothing was recorded. A surface minting keys wrongly, never a retry.</summary>
public sealed class OutboxIdempotencyConflictException(OutboxRecord existing, LedgerCommand attempted)
    : Exception($"Idempotency key '{existing.IdempotencyKey}' already holds a '{existing.CommandKind}' command for {existing.PartitionKey}; refusing a different '{attempted.Operation}' command for {attempted.Key}.")
{
    public OutboxRecord Existing { get; } = existing;
}

/// <summary>A fixed options value behind <see cref="IOptionsMonitor{TOptions}"/>.</summary>
internal sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
