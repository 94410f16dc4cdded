using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>
/// The leases one flush holds. While the flush works they are renewed every third of <c>Outbox:ClaimDuration</c>, so a
/// slow monday call does not let another process claim (and send) the same records; and once more right before each
/// send, so a flusher that was paused past its lease and lost it to another process drops those records instead of
/// sending them a second time. Renewals are fenced by the version the claim handed out (<see cref="IOutboxStore.RenewClaimsAsync"/>).
/// </summary>
internal sealed partial class OutboxLeaseKeeper : IAsyncDisposable
{
    private readonly IOutboxStore _store;
    private readonly TimeSpan _claimDuration;
    private readonly bool _renew;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, OutboxClaim> _held = new(StringComparer.Ordinal);
    private readonly ITimer? _timer;
    private Task _background = Task.CompletedTask;
    private bool _disposed;

    public OutboxLeaseKeeper(IOutboxStore store, IReadOnlyList<OutboxRecord> claimed, OutboxOptions options, TimeProvider time, ILogger logger)
    {
        _store = store;
        _claimDuration = options.ClaimDuration;
        _renew = options.RenewLeases;
        _logger = logger;
        foreach (var record in claimed)
        {
            _held[record.IdempotencyKey] = OutboxClaim.Of(record);
        }

        if (_renew)
        {
            var period = _claimDuration / 3;
            _timer = time.CreateTimer(_ => OnTick(), null, period, period);
        }
    }

    /// <summary>How many records this flush lost to another flusher and therefore did not send.</summary>
    public int Lost { get; private set; }

    /// <summary>
    /// Renews the leases of <paramref name="items"/> and returns those still held, in order; the others are dropped for
    /// good (another flusher owns them now). Without renewal (<c>Outbox:RenewLeases=false</c>) everything is kept.
    /// Throws when the store fails: then nothing is sent, and the records come back when their leases lapse.
    /// </summary>
    public async Task<IReadOnlyList<T>> KeepHeldAsync<T>(IReadOnlyList<T> items, Func<T, OutboxRecord> recordOf, CancellationToken cancellationToken)
    {
        if (!_renew || items.Count == 0)
        {
            return items;
        }

        List<OutboxClaim> claims;
        lock (_gate)
        {
            claims = [.. items.Select(i => _held.GetValueOrDefault(recordOf(i).IdempotencyKey)).OfType<OutboxClaim>()];
        }

        var renewed = await RenewAsync(claims, cancellationToken).ConfigureAwait(false);
        var kept = items.Where(i => renewed.Contains(recordOf(i).IdempotencyKey)).ToList();
        foreach (var dropped in items.Where(i => !renewed.Contains(recordOf(i).IdempotencyKey)))
        {
            Lost++;
            LogNotSending(_logger, recordOf(dropped).IdempotencyKey);
        }

        return kept;
    }

    /// <summary>The record is settled (or given up): its lease needs no more renewing.</summary>
    public void Release(OutboxRecord record)
    {
        lock (_gate)
        {
            _held.Remove(record.IdempotencyKey);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task background;
        lock (_gate)
        {
            _disposed = true;
            background = _background;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await background.ConfigureAwait(false);
    }

    private void OnTick()
    {
        lock (_gate)
        {
            // A renewal still running covers this tick too; overlapping ones would only add load.
            if (!_disposed && _background.IsCompleted && _held.Count > 0)
            {
                _background = RenewHeldAsync();
            }
        }
    }

    private async Task RenewHeldAsync()
    {
        List<OutboxClaim> claims;
        lock (_gate)
        {
            claims = [.. _held.Values];
        }

        try
        {
            await RenewAsync(claims, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            // The next tick tries again, and every send renews first: a failed renewal never lets a lost record out.
            LogRenewalFailed(_logger, claims.Count, failure);
        }
    }

    private async Task<HashSet<string>> RenewAsync(List<OutboxClaim> claims, CancellationToken cancellationToken)
    {
        if (claims.Count == 0)
        {
            return [];
        }

        var renewed = (await _store.RenewClaimsAsync(claims, _claimDuration, cancellationToken).ConfigureAwait(false))
            .Select(r => r.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var claim in claims.Where(c => !renewed.Contains(c.IdempotencyKey)))
            {
                // Claimed again elsewhere (or settled): never renew or send it from here again.
                _held.Remove(claim.IdempotencyKey);
            }
        }

        return renewed;
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Not sending outbox record {IdempotencyKey}: its lease moved to another flusher while this one held it")]
    private static partial void LogNotSending(ILogger logger, string idempotencyKey);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Renewing the leases of {Count} outbox record(s) failed; retrying on the next tick")]
    private static partial void LogRenewalFailed(ILogger logger, int count, Exception exception);
}
