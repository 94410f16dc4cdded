using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// Redis when reachable, the file store when not. While Redis is down, commands are still recorded (appended to
/// the file store), and the ledger cache and dedupe marks use the file store. Flushing pauses (claims return
/// nothing, marks throw <see cref="StorageUnavailableException"/>): commands still waiting in Redis must go first to
/// keep each item's order, and a claim held in Redis can only be settled there. When Redis answers again, every
/// file record is imported (a key Redis already has is skipped: no duplicates), then the file copies are dropped
/// (no loss: they are dropped only after the import succeeded), and Redis is active again. Each switch is logged.
/// </summary>
public sealed partial class FailoverStorage : IStorageBackend, IStorageStatus
{
    // A restarting Redis answers LOADING while it replays its AOF; BUSY while a script runs too long.
    private static readonly string[] UnavailableErrorCodes = ["LOADING ", "BUSY ", "TRYAGAIN ", "MASTERDOWN "];
    private readonly RedisStorage _redis;
    private readonly EmbeddedStorage _file;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fileGate = new(1, 1);
    private readonly ITimer _probe;
    private readonly object _reconcileGate = new();
    private Task<bool>? _reconciling;
    private int _onFile;

    public FailoverStorage(RedisStorage redis, EmbeddedStorage file, TimeProvider time, TimeSpan probeInterval, ILogger<FailoverStorage>? logger = null)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _file = file ?? throw new ArgumentNullException(nameof(file));
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(probeInterval, TimeSpan.Zero);
        _logger = logger ?? NullLogger<FailoverStorage>.Instance;

        // Records left in the file store by an outage before the last shutdown are reconciled first.
        var leftovers = file.ExportForTransfer();
        _onFile = leftovers.IsEmpty ? 0 : 1;
        _probe = time.CreateTimer(_ => _ = ReconcileAsync(CancellationToken.None), null, leftovers.IsEmpty ? probeInterval : TimeSpan.Zero, probeInterval);
    }

    /// <summary>Raised after every switch, with the newly active backend's name.</summary>
    public event EventHandler<string>? ActiveBackendChanged;

    public string Name => ActiveBackend;

    public string ActiveBackend => IsDegraded ? _file.Name : _redis.Name;

    public bool IsDegraded => Volatile.Read(ref _onFile) == 1;

    public Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.AppendAsync(command, cancellationToken), FileFallback.Serve, cancellationToken);

    public Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.ClaimBatchAsync(maxRecords, claimDuration, cancellationToken), FileFallback.Default, cancellationToken, () => (IReadOnlyList<OutboxRecord>)[]);

    // Claims only come from Redis (a degraded store claims nothing), so only Redis holds leases to renew.
    public Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.RenewClaimsAsync(claims, claimDuration, cancellationToken), FileFallback.Refuse, cancellationToken);

    public Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.MarkConfirmedAsync(idempotencyKey, mondayItemId, claimVersion, cancellationToken), FileFallback.Refuse, cancellationToken);

    public Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.MarkFailedAsync(idempotencyKey, reason, retryAt, claimVersion, cancellationToken), FileFallback.Refuse, cancellationToken);

    public Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.GetAsync(idempotencyKey, cancellationToken), FileFallback.Serve, cancellationToken);

    public Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.ListAsync(state, limit, cancellationToken), FileFallback.Serve, cancellationToken);

    public Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.CountAsync(cancellationToken), FileFallback.Serve, cancellationToken);

    public Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.PurgeConfirmedAsync(olderThan, cancellationToken), FileFallback.Default, cancellationToken, () => 0);

    public Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.GetEntryAsync(ledgerKey, cancellationToken), FileFallback.Serve, cancellationToken);

    public Task SetEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken = default) =>
        RouteAsync(async store =>
        {
            await store.SetEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            return true;
        }, FileFallback.Serve, cancellationToken);

    public Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.RemoveEntryAsync(ledgerKey, cancellationToken), FileFallback.Serve, cancellationToken);

    public Task<bool> CompareAndSetEntryAsync(string ledgerKey, string? expectedJson, LedgerCacheEntry? replacement, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.CompareAndSetEntryAsync(ledgerKey, expectedJson, replacement, cancellationToken), FileFallback.Serve, cancellationToken);

    public Task<bool> TryMarkAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken = default) =>
        RouteAsync(store => store.TryMarkAsync(key, timeToLive, cancellationToken), FileFallback.Serve, cancellationToken);

    /// <summary>
    /// When on the file store: checks Redis and, if it answers, moves the file store's content into it and switches
    /// back. Runs by itself every probe interval; callable directly (tests, operators); a call made while one runs
    /// joins it. True when Redis is active afterwards.
    /// </summary>
    public Task<bool> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        lock (_reconcileGate)
        {
            if (_reconciling is { IsCompleted: false } running)
            {
                return running;
            }

            return _reconciling = IsDegraded ? RunReconcileAsync(cancellationToken) : Task.FromResult(true);
        }
    }

    private async Task<bool> RunReconcileAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _redis.PingAsync(cancellationToken).ConfigureAwait(false);
            await _fileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Holding the gate: nothing new lands in the file store while it is being emptied.
                var transfer = _file.ExportForTransfer();
                var imported = 0;
                foreach (var record in transfer.Records)
                {
                    imported += await _redis.ImportAsync(record, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }

                foreach (var entry in transfer.LedgerEntries)
                {
                    await _redis.ImportEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }

                foreach (var mark in transfer.DedupeMarks)
                {
                    await _redis.ImportDedupeAsync(mark, cancellationToken).ConfigureAwait(false);
                }

                await _file.ForgetTransferredAsync(transfer).ConfigureAwait(false);
                Volatile.Write(ref _onFile, 0);
                LogSwitchedToRedis(_logger, transfer.Records.Count, imported, transfer.Records.Count - imported, transfer.LedgerEntries.Count);
            }
            finally
            {
                _fileGate.Release();
            }

            ActiveBackendChanged?.Invoke(this, _redis.Name);
            return true;
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            LogStillUnavailable(_logger, ex.Message);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A timer callback must not throw; stay on the file store and try again next interval.
            LogReconcileFailed(_logger, ex);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _probe.DisposeAsync().ConfigureAwait(false);
        Task<bool>? reconciling;
        lock (_reconcileGate)
        {
            reconciling = _reconciling;
        }

        if (reconciling is not null)
        {
            // Let a running reconciliation finish before the file store under it closes.
            await ((Task)reconciling).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _file.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
        _fileGate.Dispose();
    }

    internal static bool IsUnavailable(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => UnavailableErrorCodes.Any(code => server.Message.StartsWith(code, StringComparison.Ordinal)),
        _ => false,
    };

    private Task<T> RouteAsync<T>(Func<IStorageBackend, Task<T>> operation, FileFallback fallback, CancellationToken cancellationToken) =>
        RouteAsync(operation, fallback, cancellationToken, fileDefault: () => throw new InvalidOperationException("No default for this operation."));

    private async Task<T> RouteAsync<T>(Func<IStorageBackend, Task<T>> operation, FileFallback fallback, CancellationToken cancellationToken, Func<T> fileDefault)
    {
        while (true)
        {
            if (!IsDegraded)
            {
                try
                {
                    return await operation(_redis).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsUnavailable(ex))
                {
                    SwitchToFile(ex);
                }
            }

            switch (fallback)
            {
                case FileFallback.Default:
                    return fileDefault();
                case FileFallback.Refuse:
                    throw new StorageUnavailableException(
                        "Redis is unreachable; outbox records held in Redis cannot be settled until it is back. Nothing was changed: retry later.", null);
            }

            await _fileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!IsDegraded)
                {
                    // Reconciled while we waited: Redis is current again.
                    continue;
                }

                return await operation(_file).ConfigureAwait(false);
            }
            finally
            {
                _fileGate.Release();
            }
        }
    }

    private void SwitchToFile(Exception reason)
    {
        if (Interlocked.Exchange(ref _onFile, 1) == 0)
        {
            LogSwitchedToFile(_logger, reason.Message);
            ActiveBackendChanged?.Invoke(this, _file.Name);
        }
    }

    private enum FileFallback
    {
        /// <summary>Served by the file store.</summary>
        Serve,

        /// <summary>Answered with a neutral default (nothing to claim, nothing purged).</summary>
        Default,

        /// <summary>Needs Redis: refused with <see cref="StorageUnavailableException"/>.</summary>
        Refuse,
    }

    [LoggerMessage(EventId = 7300, Level = LogLevel.Warning, Message = "Storage switched redis → file: Redis is unreachable ({Reason}). Commands are still recorded; flushing pauses until Redis is back")]
    private static partial void LogSwitchedToFile(ILogger logger, string reason);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Storage switched file → redis: reconciled {Records} outbox records ({Imported} imported, {AlreadyThere} already in Redis) and {LedgerEntries} ledger entries")]
    private static partial void LogSwitchedToRedis(ILogger logger, int records, int imported, int alreadyThere, int ledgerEntries);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Debug, Message = "Redis still unreachable; staying on the file store: {Reason}")]
    private static partial void LogStillUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Error, Message = "Reconciling the file store into Redis failed; staying on the file store and retrying later")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
