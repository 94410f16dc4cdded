using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// <see cref="IDiscordRest"/> over HttpClient. Per request: resolve the route, wait for our turn in the route's FIFO lane,
/// then per attempt wait for a bucket slot and a global slot, send with a timeout, learn the rate-limit headers.
/// A Polly retry pipeline repeats 429s (always: the server did nothing) and 5xx/transport failures (only when repeating
/// is safe, see <see cref="IsRetrySafe"/>). All waiting goes through <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class DiscordRestClient : IDiscordRest
{
    public const string HttpClientName = "discord-rest";

    private static readonly ResiliencePropertyKey<bool> RetrySafeKey = new("discord.retry-safe");
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptionsMonitor<DiscordOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DiscordRestClient> _logger;
    private readonly SerialQueues _lanes = new();
    private readonly RateLimitRegistry _buckets;
    private readonly GlobalRateLimiter _global;
    private readonly InvalidRequestBudget _invalidRequests;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private volatile string? _rejectedToken;

    public DiscordRestClient(IHttpClientFactory httpClientFactory, IOptionsMonitor<DiscordOptions> options, TimeProvider timeProvider, ILogger<DiscordRestClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        var settings = options.CurrentValue;
        _buckets = new RateLimitRegistry(timeProvider);
        _global = new GlobalRateLimiter(settings.GlobalRequestsPerSecond, timeProvider);
        _invalidRequests = new InvalidRequestBudget(settings.InvalidRequestSafetyThreshold, timeProvider);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (settings.RestMaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.RestMaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),

                // A 429 already pushed its retry_after into the bucket or the global limiter, which the next attempt waits on.
                DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests ? TimeSpan.Zero : (TimeSpan?)null),
                OnRetry = args =>
                {
                    LogRetry(_logger, args.AttemptNumber + 1, args.Outcome.Result is { } response ? (int)response.StatusCode : null, args.Outcome.Exception?.GetType().Name);
                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>Requests answered 401/403/429 (non-shared) in the rolling 10-minute window.</summary>
    public int InvalidRequestCount => _invalidRequests.CountInWindow;

    public async Task<JsonElement?> SendAsync(DiscordRestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var route = DiscordRoute.Resolve(request);
        using var activity = DiscordTelemetry.Source.StartActivity("discord.rest", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("http.request.method", request.Method.Method);
        activity?.SetTag("discord.route", request.RouteTemplate);
        var token = _options.CurrentValue.Token;
        if (request.Authenticated && _rejectedToken is { } rejected && string.Equals(rejected, token, StringComparison.Ordinal))
        {
            throw new DiscordRestUnavailableException("Discord rejected the bot token (401): requests are stopped until Discord:Token is reconfigured (env Discord__Token).");
        }

        _invalidRequests.ThrowIfExhausted();
        var body = request.Body is null ? null : JsonSerializer.SerializeToUtf8Bytes(request.Body, request.Body.GetType());

        using var turn = await _lanes.EnterAsync(route.QueueKey, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetrySafeKey, IsRetrySafe(request));
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static (ctx, state) => state.Client.SendOnceAsync(state.Request, state.Route, state.Body, ctx.CancellationToken),
                context,
                (Client: this, Request: request, Route: route, Body: body));
            outcome.ThrowIfException();
            using var response = outcome.Result!;
            return await ReadResultAsync(request, response, cancellationToken);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// GET/HEAD/PUT/DELETE are idempotent by HTTP semantics; Discord's PATCH endpoints set fields, so replaying one gives
    /// the same state. POST creates something (a message, an interaction response) and is repeated after a 5xx or a
    /// transport failure only when the caller marks it <see cref="DiscordRestRequest.RetrySafe"/>.
    /// </summary>
    internal static bool IsRetrySafe(DiscordRestRequest request) =>
        request.RetrySafe || request.Method != HttpMethod.Post;

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Result is { } response)
        {
            return response.StatusCode == HttpStatusCode.TooManyRequests
                || (context.Properties.GetValue(RetrySafeKey, false) && response.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout);
        }

        return outcome.Exception is HttpRequestException or TimeoutException && context.Properties.GetValue(RetrySafeKey, false);
    }

    private async ValueTask<Outcome<HttpResponseMessage>> SendOnceAsync(DiscordRestRequest request, DiscordRoute route, byte[]? body, CancellationToken cancellationToken)
    {
        var bucket = await _buckets.WaitForSlotAsync(route, cancellationToken);
        try
        {
            if (route.CountsTowardsGlobalLimit)
            {
                await _global.WaitAsync(cancellationToken);
            }

            return await SendAttemptAsync(request, route, body, cancellationToken);
        }
        finally
        {
            bucket.AttemptFinished();
        }
    }

    private async ValueTask<Outcome<HttpResponseMessage>> SendAttemptAsync(DiscordRestRequest request, DiscordRoute route, byte[]? body, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        using var message = new HttpRequestMessage(request.Method, new Uri(options.ApiBaseUrl.ToString().TrimEnd('/') + "/" + route.RelativeUri));
        message.Headers.TryAddWithoutValidation("User-Agent", $"DiscordBot ({options.UserAgentUrl}, {options.UserAgentVersion})");
        if (request.Authenticated)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bot", options.Token);
        }

        if (request.AuditLogReason is { Length: > 0 } reason)
        {
            message.Headers.TryAddWithoutValidation("X-Audit-Log-Reason", Uri.EscapeDataString(reason));
        }

        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = JsonContentType;
        }

        using var timeout = new CancellationTokenSource(options.RestRequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpResponseMessage? response = null;
        try
        {
            response = await _httpClientFactory.CreateClient(HttpClientName).SendAsync(message, linked.Token);

            // Read the body under the same timeout so a stalled body cannot hang the lane.
            await response.Content.LoadIntoBufferAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            return Outcome.FromException<HttpResponseMessage>(new TimeoutException($"{request.Method} {request.RouteTemplate} took longer than {options.RestRequestTimeout.TotalSeconds:F0} s (Discord:RestRequestTimeout)."));
        }
        catch (HttpRequestException exception)
        {
            response?.Dispose();
            return Outcome.FromException<HttpResponseMessage>(exception);
        }
        catch (BrokenCircuitException exception)
        {
            // The HTTP client's breaker (AddDiscordClient) is open: not retried here, the caller hears "unavailable".
            return Outcome.FromException<HttpResponseMessage>(new DiscordRestUnavailableException(
                $"Discord REST is failing (circuit open after repeated 5xx/transport errors); requests are refused for now: {exception.Message}"));
        }

        _buckets.Learn(route, response.Headers);
        switch (response.StatusCode)
        {
            case HttpStatusCode.TooManyRequests:
                await OnRateLimitedAsync(route, response, cancellationToken);
                break;
            case HttpStatusCode.Unauthorized:
                _invalidRequests.Record();
                if (request.Authenticated)
                {
                    _rejectedToken = options.Token;
                    LogTokenRejected(_logger);
                }

                break;
            case HttpStatusCode.Forbidden:
                _invalidRequests.Record();
                break;
        }

        return Outcome.FromResult(response);
    }

    private async Task OnRateLimitedAsync(DiscordRoute route, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        DiscordTelemetry.RestRateLimited.Add(1);
        var scope = RateLimitRegistry.TryGetHeader(response.Headers, "X-RateLimit-Scope");
        var isGlobal = string.Equals(RateLimitRegistry.TryGetHeader(response.Headers, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase);
        var retryAfter = RateLimitRegistry.TryGetSeconds(response.Headers, "Retry-After");
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                // The body's retry_after has decimals where the Retry-After header is rounded, so it wins.
                if (document.RootElement.TryGetProperty("retry_after", out var after) && after.TryGetDouble(out var seconds) && seconds >= 0)
                {
                    retryAfter = TimeSpan.FromSeconds(seconds);
                }

                isGlobal |= document.RootElement.TryGetProperty("global", out var global) && global.ValueKind == JsonValueKind.True;
            }
        }
        catch (JsonException)
        {
            // Cloudflare's own 429s are HTML; the headers above are all we get.
        }

        var wait = retryAfter ?? TimeSpan.FromSeconds(1);
        if (isGlobal || string.Equals(scope, "global", StringComparison.OrdinalIgnoreCase))
        {
            _global.PauseFor(wait);
        }
        else
        {
            _buckets.Exhaust(route, wait);
        }

        if (!string.Equals(scope, "shared", StringComparison.OrdinalIgnoreCase))
        {
            _invalidRequests.Record();
        }

        LogRateLimited(_logger, route.RouteKey, scope ?? (isGlobal ? "global" : "unknown"), wait.TotalMilliseconds);
    }

    private static async Task<JsonElement?> ReadResultAsync(DiscordRestRequest request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            if (bytes.Length == 0)
            {
                return null;
            }

            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes);
        int? code = null;
        var errorMessage = response.ReasonPhrase ?? "error";
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("code", out var codeElement) && codeElement.TryGetInt32(out var parsed))
                {
                    code = parsed;
                }

                if (document.RootElement.TryGetProperty("message", out var messageElement) && messageElement.ValueKind == JsonValueKind.String)
                {
                    errorMessage = messageElement.GetString() ?? errorMessage;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status and raw text are still reported.
        }

        throw new DiscordRestException(
            (int)response.StatusCode,
            code,
            string.Create(CultureInfo.InvariantCulture, $"{errorMessage} ({request.Method} {request.RouteTemplate})"),
            text);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord REST retry {Attempt} after status {StatusCode} / {Exception}")]
    private static partial void LogRetry(ILogger logger, int attempt, int? statusCode, string? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord REST rate limited on {Route} (scope {Scope}), waiting {WaitMs} ms")]
    private static partial void LogRateLimited(ILogger logger, string route, string scope, double waitMs);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord rejected the bot token (401): REST requests stop until Discord:Token is reconfigured")]
    private static partial void LogTokenRejected(ILogger logger);
}
