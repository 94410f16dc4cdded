using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Api;

/// <summary>
/// The write path the HTTP API and the MCP tools share: record through <see cref="LedgerIngestion"/> (validation,
/// read-only gate, idempotency) and optionally wait, bounded, for the outbox to hear from monday. The process that
/// holds the store runs the outbox worker, so this only watches records; it never talks to monday.
/// </summary>
public sealed class LedgerCommandSubmitter(LedgerIngestion ingestion, OutboxCompletion completion, IOutboxStore store)
{
    /// <summary>The longest a caller may ask to wait for monday's confirmation.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    public bool IsReadOnly => ingestion.IsReadOnly;

    /// <summary>Records <paramref name="commands"/> in order and returns each one's record after waiting up to <paramref name="wait"/>.</summary>
    /// <exception cref="LedgerReadOnlyException">Writes are off; nothing was recorded.</exception>
    /// <exception cref="LedgerCommandRejectedException">A command breaks an input rule; it (and those after it) were not recorded.</exception>
    /// <exception cref="OutboxIdempotencyConflictException">The idempotency key already holds a different command.</exception>
    public async Task<IReadOnlyList<CommandView>> SubmitAsync(IReadOnlyList<LedgerCommand> commands, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        // Validate all first so a bad second command does not leave the first one recorded alone.
        foreach (var command in commands)
        {
            if (LedgerCommandValidator.Validate(command) is { } rejected)
            {
                throw new LedgerCommandRejectedException(rejected);
            }
        }

        foreach (var command in commands)
        {
            await ingestion.RecordAsync(command, cancellationToken);
        }

        var keys = commands.Select(c => c.IdempotencyKey).ToList();
        IReadOnlyList<OutboxRecord?> records = wait > TimeSpan.Zero
            ? (await completion.WaitAsync(keys, flush: false, wait < MaxWait ? wait : MaxWait, cancellationToken)).Records
            : await Task.WhenAll(keys.Select(k => store.GetAsync(k, cancellationToken)));
        return commands.Zip(records, (command, record) => record is null ? CommandView.Recorded(command) : CommandView.From(record)).ToList();
    }

    /// <summary>The request field a validator rejection is about, so a 400 (or a tool error) can name it.</summary>
    public static string FieldOf(LedgerRejected rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        if (rejected.Kind == LedgerRejectionKind.IllegalTransition)
        {
            return "status";
        }

        var reason = rejected.Reason;
        return reason.StartsWith("Title", StringComparison.Ordinal) ? "title"
            : reason.StartsWith("Owner", StringComparison.Ordinal) ? "owner"
            : reason.StartsWith("Due", StringComparison.Ordinal) ? "dueDate"
            : reason.StartsWith("Comment", StringComparison.Ordinal) ? "body"
            : reason.StartsWith("Idempotency", StringComparison.Ordinal) ? "Idempotency-Key"
            : "body";
    }
}
