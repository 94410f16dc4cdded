namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>An append-only record tests can read or await ("the first entry matching ...") without polling or sleeping.</summary>
public sealed class ObservableLog<T>
{
    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<T, bool> Predicate, TaskCompletionSource<T> Completion)> _waiters = [];

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Completes with the first entry (already recorded or future) that matches.</summary>
    public Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitForAfterAsync(0, predicate, timeout, cancellationToken);

    /// <summary>
    /// Completes with the first matching entry recorded at position <paramref name="startIndex"/> or later (take it from
    /// <see cref="Count"/> before the action), so an earlier entry of the same kind cannot answer for a later one.
    /// </summary>
    public async Task<T> WaitForAfterAsync(int startIndex, Func<T, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TaskCompletionSource<T> completion;
        lock (_gate)
        {
            foreach (var item in _items.Skip(startIndex))
            {
                if (predicate(item))
                {
                    return item;
                }
            }

            completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, completion));
        }

        try
        {
            return await completion.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {typeof(T).Name} matching the condition within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds:F1} s; recorded: {Count}.");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(waiter => waiter.Completion == completion);
            }
        }
    }

    internal void Add(T item)
    {
        List<TaskCompletionSource<T>> matched = [];
        lock (_gate)
        {
            _items.Add(item);
            foreach (var waiter in _waiters)
            {
                if (waiter.Predicate(item))
                {
                    matched.Add(waiter.Completion);
                }
            }
        }

        foreach (var completion in matched)
        {
            completion.TrySetResult(item);
        }
    }
}
