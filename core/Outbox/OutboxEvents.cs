using System.Threading.Channels;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>What became of a recorded command; surfaces learn outcomes from these, never from monday directly.</summary>
/// <param name="EntryKey">The ledger key the command is about (the record's partition).</param>
public abstract record OutboxOutcome(string IdempotencyKey, string EntryKey, string CommandKind, int Attempts);

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
    private readonly Channel<OutboxOutcome> _channel;
    private readonly Action<OutboxSubscription> _unsubscribe;

    internal OutboxSubscription(Channel<OutboxOutcome> channel, Action<OutboxSubscription> unsubscribe)
    {
        _channel = channel;
        _unsubscribe = unsubscribe;
    }

    public ChannelReader<OutboxOutcome> Reader => _channel.Reader;

    internal bool TryWrite(OutboxOutcome outcome) => _channel.Writer.TryWrite(outcome);

    public void Dispose()
    {
        _unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}

/// <summary>
/// Fans outcomes out to every live subscription. Each subscription has an unbounded channel, so a slow subscriber
/// never stalls the flusher; subscribers are expected to keep reading (and to re-read the store after a restart).
/// </summary>
public sealed class OutboxEventHub : IOutboxEvents, IOutboxEventSink
{
    private readonly object _gate = new();
    private OutboxSubscription[] _subscriptions = [];

    public OutboxSubscription Subscribe()
    {
        var channel = Channel.CreateUnbounded<OutboxOutcome>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        var subscription = new OutboxSubscription(channel, Remove);
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    public void Publish(OutboxOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            subscription.TryWrite(outcome);
        }
    }

    private void Remove(OutboxSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions.Where(s => !ReferenceEquals(s, subscription))];
        }
    }
}
