using System.Diagnostics;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>
/// Typed access to monday over <see cref="IMondayTransport"/>: retries with jitter that honour monday's wait hints,
/// a timeout per attempt, idempotency keys on mutations, and complexity-budget pacing.
/// Requests are sent one at a time: pacing needs the budget reading of the previous answer, and monday advises
/// serialising writes to a board anyway (concurrent writes hit 423 / corrupt ordering).
/// </summary>
public sealed partial class MondayClient : IDisposable
{
    private readonly IMondayTransport _transport;
    private readonly MondayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MondayClient> _logger;
    private readonly ResiliencePipeline<AttemptOutcome> _retry;
    private readonly ResiliencePipeline _attemptTimeout;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _queryCosts = new(StringComparer.Ordinal);

    public MondayClient(IMondayTransport transport, IOptions<MondayOptions> options, TimeProvider timeProvider, ILogger<MondayClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _transport = transport;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        Budget = new ComplexityBudget(timeProvider);
        _attemptTimeout = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddTimeout(_options.AttemptTimeout)
            .Build();
        _retry = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                MaxRetryAttempts = _options.MaxRetryAttempts,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryDelay(args.Outcome, args.AttemptNumber)),
                OnRetry = args =>
                {
                    Statistics.Retries++;
                    LogRetry(_logger, args.AttemptNumber + 1, args.RetryDelay, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public ComplexityBudget Budget { get; }

    public MondayClientStatistics Statistics { get; } = new();

    /// <summary>Runs a read. Throws <see cref="MondayRequestException"/> when the request failed as a whole.</summary>
    /// <param name="priority">
    /// <see cref="MondayRequestPriority.Background"/> (the sync poller): sent only when the budget covers it beside every
    /// write that claimed points, never after a wait for the reset; otherwise <see cref="MondayReadDeferredException"/>.
    /// </param>
    public Task<MondayResponse> QueryAsync(string document, JsonObject variables, long estimatedCost, CancellationToken cancellationToken, MondayRequestPriority priority = MondayRequestPriority.Normal) =>
        SendAsync(new MondayRequest(document, variables, null), estimatedCost, priority, cancellationToken);

    /// <summary>What monday charged for <paramref name="document"/> the last time it ran (any variables); null before that.</summary>
    public long? LearnedCost(string document) => _queryCosts.TryGetValue(document, out var cost) ? cost : null;

    /// <summary>
    /// Runs a mutation document under <paramref name="idempotencyKey"/>; every retry re-sends the same key, so a
    /// response lost on the way back never turns into a second execution.
    /// </summary>
    public Task<MondayResponse> MutateAsync(string document, JsonObject variables, string idempotencyKey, long estimatedCost, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        return SendWriteAsync(new MondayRequest(document, variables, idempotencyKey), estimatedCost, cancellationToken);
    }

    public void Dispose() => _oneAtATime.Dispose();

    // The claim is made before the write queues for the gate, so a background read that gets the gate first leaves it
    // its points instead of making it wait for the next window.
    private async Task<MondayResponse> SendWriteAsync(MondayRequest request, long estimatedCost, CancellationToken cancellationToken)
    {
        Budget.ClaimForWrite(estimatedCost);
        try
        {
            return await SendAsync(request, estimatedCost, MondayRequestPriority.Normal, cancellationToken);
        }
        finally
        {
            Budget.ReleaseWriteClaim(estimatedCost);
        }
    }

    private async Task<MondayResponse> SendAsync(MondayRequest request, long estimatedCost, MondayRequestPriority priority, CancellationToken cancellationToken)
    {
        using var activity = CoreTelemetry.Source.StartActivity(request.IdempotencyKey is null ? "monday.query" : "monday.mutation", ActivityKind.Client);
        activity?.SetTag("monday.complexity.estimated", estimatedCost);
        if (priority == MondayRequestPriority.Normal)
        {
            // Waiting for the budget's reset outside the one-at-a-time gate lets a background read use what is left of
            // the current window meanwhile; the attempt checks the budget again once it holds the gate.
            var pace = Budget.DelayBefore(estimatedCost);
            if (pace > TimeSpan.Zero)
            {
                Statistics.CountPacingWait();
                LogPacing(_logger, pace, estimatedCost);
                await Task.Delay(pace, _time, cancellationToken);
            }
        }

        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            if (priority == MondayRequestPriority.Background && !Budget.FitsInBackground(estimatedCost))
            {
                Statistics.BackgroundDeferred++;
                // Writes plan their next requests around this much, so the read fits beside them next time instead of
                // being deferred for as long as a burst lasts.
                Budget.RecordBackground(estimatedCost);
                throw new MondayReadDeferredException(estimatedCost);
            }

            AttemptOutcome outcome;
            try
            {
                outcome = await _retry.ExecuteAsync(
                    async token => await AttemptAsync(request, estimatedCost, token), cancellationToken);
            }
            catch (Exception exception) when (IsTransportFailure(exception))
            {
                activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
                CoreTelemetry.MondayRequests.Add(1, new KeyValuePair<string, object?>("outcome", "transport_failure"));
                throw new MondayRequestException(MondayErrorKind.Transient, $"monday did not answer: {exception.Message}", null, exception);
            }

            var response = outcome.Response;
            var failure = response.RequestErrors.FirstOrDefault();
            if (response.Complexity is { } cost)
            {
                activity?.SetTag("monday.complexity.query", cost.Query);
                activity?.SetTag("monday.complexity.budget_after", cost.After);
                if (!response.Replayed)
                {
                    if (request.IdempotencyKey is null)
                    {
                        Statistics.PointsRead += cost.Query;
                        _queryCosts[request.Query] = cost.Query;
                    }
                    else
                    {
                        Statistics.PointsWritten += cost.Query;
                    }

                    if (priority == MondayRequestPriority.Background)
                    {
                        Budget.RecordBackground(cost.Query);
                    }
                }
            }

            activity?.SetTag("monday.replayed", response.Replayed);
            CoreTelemetry.MondayRequests.Add(1, new KeyValuePair<string, object?>("outcome", failure is null ? "ok" : "error"));
            if (failure is not null)
            {
                activity?.SetStatus(ActivityStatusCode.Error, failure.Code ?? $"HTTP {response.StatusCode}");
                var kind = response.RequestErrors.Select(e => e.Kind).FirstOrDefault(IsRetryableKind, failure.Kind);
                throw new MondayRequestException(kind, $"monday rejected the request ({failure.Code ?? $"HTTP {response.StatusCode}"}): {failure.Message}", WaitHint(outcome));
            }

            return response;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(MondayRequest request, long estimatedCost, CancellationToken cancellationToken)
    {
        var pace = Budget.DelayBefore(estimatedCost);
        if (pace > TimeSpan.Zero)
        {
            Statistics.CountPacingWait();
            LogPacing(_logger, pace, estimatedCost);
            await Task.Delay(pace, _time, cancellationToken);
        }

        var hadReading = Budget.HasReading;
        Statistics.HttpRequests++;
        var raw = await _attemptTimeout.ExecuteAsync(
            async token => await _transport.SendAsync(request, token), cancellationToken);
        var response = MondayResponse.Parse(raw);
        // A replayed answer carries the complexity reading of the original call, possibly minutes old.
        if (response.Complexity is { } reading && !response.Replayed)
        {
            Budget.Record(reading);
            CoreTelemetry.MondayComplexityUsed.Add(reading.Query);
            CoreTelemetry.MondayBudgetRemaining.Record(reading.After);
        }

        var rateLimited = raw.StatusCode == 429 || response.RequestErrors.Any(e => e.Kind == MondayErrorKind.RateLimited);
        var outcome = new AttemptOutcome(raw, response);
        if (rateLimited)
        {
            Statistics.RateLimitedResponses++;
            CoreTelemetry.MondayRateLimited.Add(1, new KeyValuePair<string, object?>("status", raw.StatusCode));
            Activity.Current?.AddEvent(new ActivityEvent("monday.rate_limited"));
            if (hadReading)
            {
                Statistics.RateLimitedAfterFirstReading++;
            }

            Budget.RecordExhausted(WaitHint(outcome) ?? TimeSpan.FromSeconds(60));
        }

        if (response.Replayed)
        {
            Statistics.ReplayedResponses++;
        }

        return outcome;
    }

    private bool ShouldRetry(Outcome<AttemptOutcome> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            return IsTransportFailure(exception);
        }

        var response = outcome.Result!.Response;
        var requestErrors = response.RequestErrors.ToList();
        // A hint longer than any single wait (a daily limit: hours) is not waited out here: retrying earlier would send a
        // request before monday allows it. The caller gets the hint (the outbox schedules the retry at it).
        return requestErrors.Count > 0 && requestErrors.All(e => IsRetryableKind(e.Kind))
            && !(WaitHint(outcome.Result) is { } hint && hint > _options.MaxRetryDelay);
    }

    private static bool IsRetryableKind(MondayErrorKind kind) => kind is MondayErrorKind.RateLimited or MondayErrorKind.Transient;

    // Dropped connections and attempt timeouts are retried: every mutation carries its Idempotency-Key, so a
    // request that did execute is answered from monday's cache instead of running twice. An open circuit (the HTTP
    // client's breaker) is the same outage seen early: retried after backoff, then reported as transient.
    private static bool IsTransportFailure(Exception exception) =>
        exception is HttpRequestException or TimeoutRejectedException or IOException or BrokenCircuitException;

    private TimeSpan RetryDelay(Outcome<AttemptOutcome> outcome, int attemptNumber)
    {
        var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000));
        var hint = outcome.Result is { } result ? WaitHint(result) : null;
        if (hint is { } serverWait)
        {
            // Never earlier than monday's hint (ShouldRetry refused hints above MaxRetryDelay); jitter only adds.
            return serverWait + jitter;
        }

        var delay = TimeSpan.FromTicks((long)(_options.RetryBaseDelay.Ticks * Math.Pow(2, attemptNumber) * (0.5 + Random.Shared.NextDouble())));
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    /// <summary>The longest of: body <c>retry_in_seconds</c>, <c>Retry-After</c>, exhausted <c>RateLimit</c> policies' <c>t=</c>.</summary>
    private TimeSpan? WaitHint(AttemptOutcome outcome)
    {
        TimeSpan? longest = null;
        foreach (var candidate in outcome.Response.Errors.Select(e => e.RetryIn)
            .Append(MondayErrorClassifier.ParseRetryAfter(outcome.Raw.Header("Retry-After"), _time.GetUtcNow()))
            .Append(MondayErrorClassifier.ParseRateLimitReset(outcome.Raw.Header("RateLimit"))))
        {
            if (candidate is { } value && (longest is null || value > longest))
            {
                longest = value;
            }
        }

        return longest;
    }

    private static string Describe(Outcome<AttemptOutcome> outcome) =>
        outcome.Exception is { } exception
            ? exception.GetType().Name
            : $"HTTP {outcome.Result!.Raw.StatusCode} {string.Join(",", outcome.Result.Response.RequestErrors.Select(e => e.Code ?? e.Kind.ToString()))}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "monday request attempt {Attempt} in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting {Delay} for monday's complexity budget to cover {Cost} points")]
    private static partial void LogPacing(ILogger logger, TimeSpan delay, long cost);

    private sealed record AttemptOutcome(MondayRawResponse Raw, MondayResponse Response);
}

/// <summary>Counters for operators and benchmarks. Updated under the client's one-request-at-a-time gate.</summary>
public sealed class MondayClientStatistics
{
    public long HttpRequests { get; internal set; }

    public long Retries { get; internal set; }

    public long RateLimitedResponses { get; internal set; }

    /// <summary>429s (or rate-limit errors) received after the budget was known — pacing should keep this at 0.</summary>
    public long RateLimitedAfterFirstReading { get; internal set; }

    public long ReplayedResponses { get; internal set; }

    private long _pacingWaits;

    /// <summary>Waits for the budget's reset before a request (counted from any caller, so atomically).</summary>
    public long PacingWaits => Interlocked.Read(ref _pacingWaits);

    internal void CountPacingWait() => Interlocked.Increment(ref _pacingWaits);

    /// <summary>Complexity points monday charged for reads / writes (from each answer's <c>complexity.query</c>).</summary>
    public long PointsRead { get; internal set; }

    public long PointsWritten { get; internal set; }

    /// <summary>Background reads not sent because writes needed the budget.</summary>
    public long BackgroundDeferred { get; internal set; }
}

/// <summary>Who waits when the complexity budget is short: writes (normal) keep priority over the sync poller (background).</summary>
public enum MondayRequestPriority
{
    Normal,
    Background,
}

/// <summary>A background read was not sent: the budget left beside the writes' claims does not cover it. Nothing changed.</summary>
public sealed class MondayReadDeferredException : Exception
{
    public MondayReadDeferredException(long cost)
        : base($"A background read of about {cost} complexity points was deferred: writes need the budget now.")
    {
    }

    public MondayReadDeferredException()
        : base("A background read was deferred: writes need the budget now.")
    {
    }

    public MondayReadDeferredException(string message)
        : base(message)
    {
    }

    public MondayReadDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
