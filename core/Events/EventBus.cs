using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace DiscordLedgerBot.Core.Events;

/// <summary>
/// The process's one in-process event bus: outbox outcomes, registry events and (later) ledger changes are published
/// here and fanned out to every subscription whose type they match. Publishing never blocks: each subscription is a
/// bounded channel that drops its oldest event when its reader falls behind, and every drop is counted (per
/// subscription and on the <c>dlb.events.dropped</c> metric) so a slow reader is visible, never silent.
/// </summary>
public interface IEventBus
{
    /// <summary>Delivers <paramref name="event"/> to every live subscription it is assignable to.</summary>
    void Publish(object @event);

    /// <summary>A reader of every event of type <typeparamref name="T"/> published from now on, until disposed.</summary>
    /// <param name="subscriber">Names the reader in metrics and logs.</param>
    EventSubscription<T> Subscribe<T>(string subscriber, int capacity = EventBus.DefaultCapacity)
        where T : class;
}

public sealed class EventBus : IEventBus
{
    public const int DefaultCapacity = 4096;

    public const string MeterName = "DiscordLedgerBot.Core";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>("dlb.events.dropped", description: "Events a subscription dropped because its reader fell behind");
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("dlb.events.published", description: "Events published on the in-process bus");

    private readonly object _gate = new();
    private ISubscription[] _subscriptions = [];

    public int SubscriberCount => Volatile.Read(ref _subscriptions).Length;

    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        Published.Add(1, new KeyValuePair<string, object?>("event", @event.GetType().Name));
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            subscription.Offer(@event);
        }
    }

    public EventSubscription<T> Subscribe<T>(string subscriber, int capacity = DefaultCapacity)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriber);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new EventSubscription<T>(subscriber, capacity, Remove, OnDropped);
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    private static void OnDropped(string subscriber, object dropped) =>
        Dropped.Add(1, new KeyValuePair<string, object?>("subscriber", subscriber), new KeyValuePair<string, object?>("event", dropped.GetType().Name));

    private void Remove(ISubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions.Where(s => !ReferenceEquals(s, subscription))];
        }
    }

    internal interface ISubscription
    {
        void Offer(object @event);
    }
}

/// <summary>One reader's view of the bus; dispose it to stop receiving.</summary>
public sealed class EventSubscription<T> : EventBus.ISubscription, IDisposable
    where T : class
{
    private readonly Channel<T> _channel;
    private readonly Action<EventBus.ISubscription> _unsubscribe;
    private long _dropped;

    internal EventSubscription(string subscriber, int capacity, Action<EventBus.ISubscription> unsubscribe, Action<string, object> onDropped)
    {
        Subscriber = subscriber;
        _unsubscribe = unsubscribe;
        _channel = Channel.CreateBounded<T>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                onDropped(subscriber, dropped);
            });
    }

    public string Subscriber { get; }

    public ChannelReader<T> Reader => _channel.Reader;

    /// <summary>Events this subscription lost because its reader fell more than its capacity behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    void EventBus.ISubscription.Offer(object @event)
    {
        if (@event is T typed)
        {
            _channel.Writer.TryWrite(typed);
        }
    }

    public void Dispose()
    {
        _unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
