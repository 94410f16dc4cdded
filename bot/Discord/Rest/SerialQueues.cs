using System.Collections.Concurrent;

namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// One FIFO lane per key: a caller waits for every earlier caller with the same key to finish, so a burst of messages
/// to one channel reaches Discord in the order it was sent (SemaphoreSlim gives no FIFO guarantee). A lane is removed
/// when its last caller finishes: most keys are used once (each interaction's callback and webhook routes carry its own
/// id), and keeping them would grow the map by one lane per interaction for the life of the process.
/// </summary>
internal sealed class SerialQueues
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Lanes with a caller waiting or running.</summary>
    public int Count => _lanes.Count;

    public async ValueTask<IDisposable> EnterAsync(string key, CancellationToken cancellationToken)
    {
        Lane lane;
        Turn turn;
        Task previous;
        while (true)
        {
            lane = _lanes.GetOrAdd(key, static _ => new Lane());
            lock (lane)
            {
                if (lane.Retired)
                {
                    // Removed between our lookup and our lock: a fresh lane takes over the key.
                    continue;
                }

                turn = new Turn(this, key, lane);
                previous = lane.Tail;
                lane.Tail = turn.Done.Task;
                break;
            }
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

    private void Finished(string key, Lane lane, Task done)
    {
        lock (lane)
        {
            if (lane.Tail != done || lane.Retired)
            {
                return;
            }

            lane.Retired = true;
            _lanes.TryRemove(new KeyValuePair<string, Lane>(key, lane));
        }
    }

    private sealed class Lane
    {
        public Task Tail { get; set; } = Task.CompletedTask;

        public bool Retired { get; set; }
    }

    private sealed class Turn(SerialQueues owner, string key, Lane lane) : IDisposable
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose()
        {
            if (Done.TrySetResult())
            {
                owner.Finished(key, lane, Done.Task);
            }
        }
    }
}
