using System.Threading.Channels;
using DiscordLedgerBot.Core.Events;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>What became of a recorded command; surfaces learn outcomes from these, never from monday directly.</summary>
/// <param name="EntryKey">The ledger key the command is about (the record's partition).</param>
public abstract record OutboxOutcome(string IdempotencyKey, string EntryKey, string CommandKind, int Attempts);

/// <summary>
/// A new command is durably in the outbox (a repeat of a known idempotency key is not published again). Not an
/// <see cref="OutboxOutcome"/>: nothing has been sent yet.
/// </summary>
public sealed record OutboxCommandRecorded(string IdempotencyKey, string EntryKey, string CommandKind);

/// <summary>
/// monday holds the command. <paramref name="Reconciled"/>: it was found on the board by its ledger key after a crash
/// or an unanswered request, and was not sent again.
/// </summary>
public sealed record OutboxCommandConfirmed(string IdempotencyKey, string EntryKey, string CommandKind, int Attempts, string MondayItemId, bool Reconciled)
    : OutboxOutcome(IdempotencyKey, EntryKey, CommandKind, Attempts);

/// <summary>
/// An attempt failed. With <paramref name="RetryAt"/> it will be tried again then; without, it is dead-lettered and
/// waits for an operator (see <c>bot ingest status</c>).
/// </summary>
public sealed record OutboxCommandFailed(string IdempotencyKey, string EntryKey, string CommandKind, int Attempts, string Reason, DateTimeOffset? RetryAt)
    : OutboxOutcome(IdempotencyKey, EntryKey, CommandKind, Attempts)
{
    public bool IsDeadLettered => RetryAt is null;
}

/// <summary>Where outcomes go; the flusher and reconciler publish, surfaces subscribe through <see cref="IOutboxEvents"/>.</summary>
public interface IOutboxEventSink
{
    void Publish(OutboxOutcome outcome);
}

/// <summary>Subscription to outcomes. Events are notifications; the outbox store stays the record of truth.</summary>
public interface IOutboxEvents
{
    /// <summary>A reader receiving every outcome published from now on, until the subscription is disposed.</summary>
    OutboxSubscription Subscribe();
}

public sealed class OutboxSubscription : IDisposable
{
    private readonly EventSubscription<OutboxOutcome> _subscription;

    internal OutboxSubscription(EventSubscription<OutboxOutcome> subscription) => _subscription = subscription;

    public ChannelReader<OutboxOutcome> Reader => _subscription.Reader;

    public void Dispose() => _subscription.Dispose();
}

/// <summary>
/// The outbox's view of the process's <see cref="IEventBus"/>: outcomes are published there (so the host's event
/// readers see them with everything else) and <see cref="Subscribe"/> reads them back. A subscription is bounded and
/// counts what it drops; subscribers keep reading and re-read the store (the record of truth) after a gap.
/// </summary>
public sealed class OutboxEventHub(IEventBus bus) : IOutboxEvents, IOutboxEventSink
{
    /// <summary>A hub with a bus of its own, for code that runs the outbox without a host.</summary>
    public OutboxEventHub()
        : this(new EventBus())
    {
    }

    public OutboxSubscription Subscribe() => new(bus.Subscribe<OutboxOutcome>("outbox-outcomes"));

    public void Publish(OutboxOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        bus.Publish(outcome);
    }
}
