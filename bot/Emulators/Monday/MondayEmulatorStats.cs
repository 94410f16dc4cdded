using System.Collections.Concurrent;

namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>Counters for test assertions; thread-safe, cumulative since start (or the last <see cref="Reset"/>).</summary>
public sealed class MondayEmulatorStats
{
    private readonly ConcurrentDictionary<string, int> _rejectionsByCode = new(StringComparer.Ordinal);
    private long _totalRequests;
    private long _graphQLRequests;
    private long _rateLimited;
    private long _mutationsExecuted;
    private long _mutationFieldsExecuted;
    private long _itemsCreated;
    private long _idempotentReplays;
    private long _idempotencyConflicts;
    private long _faultsInjected;
    private long _validationFailures;
    private long _unauthorized;
    private long _requestsBeforeHint;
    private long _webhookDeliveries;

    /// <summary>Every HTTP request to <c>/v2</c>, including rejected and faulted ones.</summary>
    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    /// <summary>Requests that reached GraphQL execution.</summary>
    public long GraphQLRequests => Interlocked.Read(ref _graphQLRequests);

    /// <summary>Requests rejected by any rate limit (whatever the HTTP status used).</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Mutation operations executed (not replays, not rejections).</summary>
    public long MutationsExecuted => Interlocked.Read(ref _mutationsExecuted);

    /// <summary>Root mutation fields that ran (aliases counted separately).</summary>
    public long MutationFieldsExecuted => Interlocked.Read(ref _mutationFieldsExecuted);

    public long ItemsCreated => Interlocked.Read(ref _itemsCreated);

    public long IdempotentReplays => Interlocked.Read(ref _idempotentReplays);

    public long IdempotencyConflicts => Interlocked.Read(ref _idempotencyConflicts);

    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    public long ValidationFailures => Interlocked.Read(ref _validationFailures);

    public long Unauthorized => Interlocked.Read(ref _unauthorized);

    /// <summary>
    /// Requests that arrived while an earlier rate-limit answer's hint (<c>retry_in_seconds</c> / <c>Retry-After</c>) had
    /// not yet passed: a client that honours monday's hints keeps this at 0.
    /// </summary>
    public long RequestsBeforeHint => Interlocked.Read(ref _requestsBeforeHint);

    /// <summary>Webhook event deliveries POSTed (challenges not counted).</summary>
    public long WebhookDeliveries => Interlocked.Read(ref _webhookDeliveries);

    /// <summary>Rejections per <c>extensions.code</c> (rate limits, 401, 409, ...).</summary>
    public IReadOnlyDictionary<string, int> RejectionsByCode => new Dictionary<string, int>(_rejectionsByCode, StringComparer.Ordinal);

    public int Rejections(string code) => _rejectionsByCode.GetValueOrDefault(code);

    public void Reset()
    {
        _rejectionsByCode.Clear();
        Interlocked.Exchange(ref _totalRequests, 0);
        Interlocked.Exchange(ref _graphQLRequests, 0);
        Interlocked.Exchange(ref _rateLimited, 0);
        Interlocked.Exchange(ref _mutationsExecuted, 0);
        Interlocked.Exchange(ref _mutationFieldsExecuted, 0);
        Interlocked.Exchange(ref _itemsCreated, 0);
        Interlocked.Exchange(ref _idempotentReplays, 0);
        Interlocked.Exchange(ref _idempotencyConflicts, 0);
        Interlocked.Exchange(ref _faultsInjected, 0);
        Interlocked.Exchange(ref _validationFailures, 0);
        Interlocked.Exchange(ref _unauthorized, 0);
        Interlocked.Exchange(ref _requestsBeforeHint, 0);
        Interlocked.Exchange(ref _webhookDeliveries, 0);
    }

    internal void CountRequestBeforeHint() => Interlocked.Increment(ref _requestsBeforeHint);

    internal void CountWebhookDelivery() => Interlocked.Increment(ref _webhookDeliveries);

    internal void CountRequest() => Interlocked.Increment(ref _totalRequests);

    internal void CountGraphQLRequest() => Interlocked.Increment(ref _graphQLRequests);

    internal void CountRateLimited(string code)
    {
        Interlocked.Increment(ref _rateLimited);
        CountRejection(code);
    }

    internal void CountRejection(string code) => _rejectionsByCode.AddOrUpdate(code, 1, (_, n) => n + 1);

    internal void CountMutation(int fields)
    {
        Interlocked.Increment(ref _mutationsExecuted);
        Interlocked.Add(ref _mutationFieldsExecuted, fields);
    }

    internal void CountItemCreated() => Interlocked.Increment(ref _itemsCreated);

    internal void CountReplay() => Interlocked.Increment(ref _idempotentReplays);

    internal void CountConflict()
    {
        Interlocked.Increment(ref _idempotencyConflicts);
        CountRejection("IDEMPOTENCY_CONFLICT");
    }

    internal void CountFault() => Interlocked.Increment(ref _faultsInjected);

    internal void CountValidationFailure() => Interlocked.Increment(ref _validationFailures);

    internal void CountUnauthorized()
    {
        Interlocked.Increment(ref _unauthorized);
        CountRejection("Unauthorized");
    }
}
