using System.Globalization;
using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Tests.Outbox;

/// <summary>
/// An in-memory board behind <see cref="ILedger"/> that records every batch it receives. <see cref="Answer"/> decides a
/// command's result (default: applied); <see cref="LoseAnswerFor"/> applies a command but reports it as unanswered,
/// like a response lost after monday executed it.
/// </summary>
internal sealed class FakeLedger : ILedger
{
    private readonly object _gate = new();
    private readonly Dictionary<LedgerKey, LedgerEntry> _board = [];
    private readonly List<IReadOnlyList<LedgerCommand>> _batches = [];
    private int _nextItemId = 5000;

    public Func<LedgerCommand, LedgerResult?>? Answer { get; set; }

    public HashSet<string> LoseAnswerFor { get; } = new(StringComparer.Ordinal);

    public Exception? LookupFailure { get; set; }

    public int Lookups { get; private set; }

    public IReadOnlyList<IReadOnlyList<LedgerCommand>> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<LedgerCommand> Sent => [.. Batches.SelectMany(b => b)];

    /// <summary>Puts an entry on the board as if an earlier, unrecorded attempt had created it.</summary>
    public string Seed(LedgerKey key)
    {
        lock (_gate)
        {
            return Put(key, "seeded").MondayItemId;
        }
    }

    public bool Holds(LedgerKey key)
    {
        lock (_gate)
        {
            return _board.ContainsKey(key);
        }
    }

    public async Task<LedgerResult> ExecuteAsync(LedgerCommand command, CancellationToken cancellationToken) =>
        (await ExecuteBatchAsync([command], cancellationToken))[0];

    public Task<IReadOnlyList<LedgerResult>> ExecuteBatchAsync(IReadOnlyList<LedgerCommand> commands, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _batches.Add([.. commands]);
            var results = new List<LedgerResult>(commands.Count);
            foreach (var command in commands)
            {
                if (Answer?.Invoke(command) is { } answered)
                {
                    results.Add(answered);
                    continue;
                }

                LedgerResult result = command switch
                {
                    CreateLedgerEntry create => new LedgerApplied(command, Put(create.Key, create.Title).MondayItemId, Replayed: false),
                    _ when _board.TryGetValue(command.Key, out var entry) => new LedgerApplied(command, entry.MondayItemId, Replayed: false),
                    _ => new LedgerRejected(command, LedgerRejectionKind.NotFound, $"No entry {command.Key}."),
                };
                results.Add(LoseAnswerFor.Remove(command.IdempotencyKey) ? new LedgerRetryable(command, "connection dropped", null) : result);
            }

            return Task.FromResult<IReadOnlyList<LedgerResult>>(results);
        }
    }

    public Task<LedgerEntry?> FindByKeyAsync(LedgerKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Lookups++;
            if (LookupFailure is { } failure)
            {
                throw failure;
            }

            return Task.FromResult(_board.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<LedgerEntry>> GetByIdsAsync(IReadOnlyCollection<string> mondayItemIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<LedgerEntry>>([.. _board.Values.Where(e => mondayItemIds.Contains(e.MondayItemId))]);
        }
    }

    public Task<IReadOnlyList<LedgerEntry>> QueryAsync(LedgerQuery query, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<LedgerEntry>>([.. _board.Values.Take(query.Limit)]);
        }
    }

    private LedgerEntry Put(LedgerKey key, string title)
    {
        if (_board.TryGetValue(key, out var existing))
        {
            // A second create for a key is exactly the duplicate the outbox must prevent; make it visible.
            throw new InvalidOperationException($"Duplicate create for {key} (already item {existing.MondayItemId}).");
        }

        var entry = new LedgerEntry
        {
            Key = key,
            MondayItemId = (++_nextItemId).ToString(CultureInfo.InvariantCulture),
            Title = title,
            Status = LedgerStatus.Requested,
        };
        _board[key] = entry;
        return entry;
    }
}
