using System.Collections.Concurrent;

namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// One FIFO lane per key: a caller waits for every earlier caller with the same key to finish, so a burst of messages
/// to one channel reaches Discord in the order it was sent (SemaphoreSlim gives no FIFO guarantee).
/// </summary>
internal sealed class SerialQueues
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public async ValueTask<IDisposable> EnterAsync(string key, CancellationToken cancellationToken)
    {
        var lane = _lanes.GetOrAdd(key, static _ => new Lane());
        var turn = new Turn();
        Task previous;
        lock (lane)
        {
            previous = lane.Tail;
            lane.Tail = turn.Done.Task;
        }

        try
        {
            await previous.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Our successor still waits for us: release it only once our predecessor is done, keeping the order.
            _ = previous.ContinueWith(_ => turn.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        return turn;
    }

    private sealed class Lane
    {
        public Task Tail { get; set; } = Task.CompletedTask;
    }

    private sealed class Turn : IDisposable
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => Done.TrySetResult();
    }
}
