using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday.Execution;
using DiscordLedgerBot.Emulators.Monday.GraphQL;
using DiscordLedgerBot.Emulators.Monday.Limits;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Monday.Hosting;

/// <summary>Serves <c>POST /v2</c> the way monday does: auth, version routing, limits, idempotency, GraphQL, faults.</summary>
internal sealed class MondayRequestHandler(
    MondayEmulatorOptions options,
    MondaySchema schema,
    MondayStore store,
    MondayRateLimiter limiter,
    IdempotencyCache idempotency,
    MondayEmulatorFaults faults,
    MondayEmulatorStats stats,
    MondayWebhookDispatcher webhooks,
    CancellationToken stopping)
{
    private const string JsonContentType = "application/json; charset=utf-8";

    // monday's responses carry quotes and non-ASCII text unescaped, as any JSON client expects to handle.
    private static readonly JsonSerializerOptions ResponseJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly object _hintGate = new();
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    public async Task HandleAsync(HttpContext context)
    {
        stats.CountRequest();
        lock (_hintGate)
        {
            if (options.TimeProvider.GetUtcNow() < _notBefore)
            {
                stats.CountRequestBeforeHint();
            }
        }

        var requestId = Guid.NewGuid().ToString();
        var versionHeader = context.Request.Headers["API-Version"].ToString();
        var version = MondayApiVersions.Resolve(versionHeader);
        context.Response.Headers["API-Version"] = version?.Value ?? MondayApiVersions.Current.Value;

        var fault = faults.Take();
        if (fault is not null)
        {
            stats.CountFault();
            switch (fault.Kind)
            {
                case MondayFaultKind.ServerError:
                    await WriteServerErrorAsync(context, fault.StatusCode, requestId);
                    return;
                case MondayFaultKind.DropConnection:
                    context.Abort();
                    return;
                case MondayFaultKind.RateLimited:
                    await WriteRateLimitedAsync(context, FaultRejection(fault), requestId);
                    return;
            }
        }

        if (!IsAuthorized(context.Request.Headers.Authorization.ToString()))
        {
            stats.CountUnauthorized();
            await WriteAsync(context, 401, ErrorBody("Not Authenticated", "Unauthorized", requestId, new JsonObject { ["status_code"] = 401 }));
            return;
        }

        var rejection = limiter.Admit();
        if (rejection is not null)
        {
            await WriteRateLimitedAsync(context, rejection, requestId);
            return;
        }

        try
        {
            await HandleAdmittedAsync(context, version, versionHeader, requestId, fault?.Kind);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // An emulator defect must still look like monday's 500, not an empty reply; the message names the cause for test logs.
            await WriteAsync(context, 500, ErrorBody($"Internal server error ({e.GetType().Name}: {e.Message})", "INTERNAL_SERVER_ERROR", requestId, new JsonObject { ["status_code"] = 500 }));
        }
        finally
        {
            limiter.Release();
        }
    }

    private async Task HandleAdmittedAsync(HttpContext context, MondayApiVersion? version, string versionHeader, string requestId, MondayFaultKind? fault)
    {
        var dropResponse = fault == MondayFaultKind.ExecuteThenDropResponse;
        if (version is null)
        {
            limiter.CountFailedCall();
            await WriteAsync(context, 200, ErrorBody(
                $"Invalid API version: '{versionHeader}'. Use the YYYY-MM format, e.g. {MondayApiVersions.Current.Value}", "InvalidVersionException", requestId,
                new JsonObject { ["status_code"] = 200 }));
            return;
        }

        var (request, badRequest) = await ReadRequestAsync(context);
        if (request is null)
        {
            limiter.CountFailedCall();
            stats.CountRejection(badRequest!.Code);
            await WriteAsync(context, 400, ErrorBody(badRequest.Message, badRequest.Code, requestId, new JsonObject { ["status_code"] = 400 }));
            return;
        }

        var errors = MondayDocumentValidator.Prepare(schema, request.Query, request.Variables, request.OperationName, out var prepared);
        if (prepared is null)
        {
            limiter.CountFailedCall();
            stats.CountValidationFailure();
            await WriteAsync(context, 200, ErrorsBody(errors, requestId, data: null));
            return;
        }

        var isMutation = prepared.Operation.Kind == OperationKind.Mutation;
        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
        var useIdempotency = isMutation && idempotencyKey.Length > 0;
        var scope = context.Request.Headers.Authorization.ToString();
        if (useIdempotency)
        {
            switch (idempotency.Begin(scope, idempotencyKey, out var cached))
            {
                case IdempotencyOutcome.Replay:
                    stats.CountReplay();
                    if (dropResponse)
                    {
                        context.Abort();
                        return;
                    }

                    context.Response.Headers["Idempotency-Replayed"] = "true";
                    await WriteBytesAsync(context, cached!.StatusCode, cached.Body);
                    return;
                case IdempotencyOutcome.Conflict:
                    stats.CountConflict();
                    context.Response.Headers.RetryAfter = options.IdempotencyConflictRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await WriteAsync(context, 409, ErrorBody(
                        "A request with this Idempotency-Key is currently being processed. Retry after it completes.", "IDEMPOTENCY_CONFLICT", requestId,
                        new JsonObject { ["status_code"] = 409 }));
                    return;
            }
        }

        CachedResponse? toCache = null;
        try
        {
            if (fault == MondayFaultKind.Hang)
            {
                // Hangs "in processing": holds its concurrency slot and idempotency key until the client gives up.
                await HangAsync(context);
                return;
            }

            var response = Execute(prepared, version, requestId);
            var body = Encoding.UTF8.GetBytes(response.Body.ToJsonString(ResponseJson));
            if (response.StatusCode == 200)
            {
                toCache = new CachedResponse(200, body, version.Value);
            }

            if (dropResponse)
            {
                // The work is done (and cached for the key) but the client never sees the answer.
                context.Abort();
                return;
            }

            await WriteBytesAsync(context, response.StatusCode, body);
        }
        finally
        {
            if (useIdempotency)
            {
                idempotency.Complete(scope, idempotencyKey, toCache);
            }
        }
    }

    private (int StatusCode, JsonObject Body) Execute(PreparedOperation prepared, MondayApiVersion version, string requestId)
    {
        var calculator = new ComplexityCalculator(schema, options.Complexity, prepared);
        var cost = calculator.Calculate();
        if (cost > options.RateLimits.SingleQueryComplexityLimit)
        {
            limiter.CountFailedCall();
            stats.CountRejection("maxComplexityExceeded");
            return (200, ErrorBody(
                $"Query has complexity of {cost}, which exceeds max complexity of {options.RateLimits.SingleQueryComplexityLimit}", "maxComplexityExceeded", requestId,
                new JsonObject { ["status_code"] = 200, ["complexity"] = cost, ["max_complexity"] = options.RateLimits.SingleQueryComplexityLimit }));
        }

        var rejection = limiter.ChargeComplexity(cost, out var charge);
        if (rejection is not null)
        {
            RememberHint(rejection);
            stats.CountRateLimited(rejection.Code);
            return (options.RateLimits.RateLimitHttpStatus, RateLimitBody(rejection, requestId));
        }

        limiter.CountDailyCall(calculator.IsComplexityOnly());
        stats.CountGraphQLRequest();
        ExecutionResult result;
        lock (store.Gate)
        {
            var executor = new MondayExecutor(schema, store, options, stats);
            var context = new MondayExecutionContext(
                version, MondayEmulator.DefaultUserId, new ComplexitySnapshot(charge.Before, charge.After, charge.Query, charge.ResetInSeconds), options.TimeProvider.GetUtcNow());
            result = executor.Execute(prepared, context);
        }

        if (prepared.Operation.Kind == OperationKind.Mutation)
        {
            stats.CountMutation(result.MutationFieldsExecuted);
            webhooks.Created(result.WebhooksCreated);
            webhooks.Raise(result.ItemEvents);
        }

        return (200, ErrorsBody(result.Errors, requestId, result.Data, includeData: true));
    }

    private sealed record GraphQLRequest(string Query, JsonNode? Variables, string? OperationName);

    private sealed record BadRequest(string Code, string Message);

    private static async Task<(GraphQLRequest? Request, BadRequest? Error)> ReadRequestAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return (null, new BadRequest("BadRequest", "The API accepts POST requests with a JSON body; since 2025-01 the query must travel in the body"));
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            return (null, new BadRequest("JsonParseException", $"Unexpected token in JSON body: {e.Message}"));
        }

        if (body is not JsonObject obj)
        {
            return (null, new BadRequest("JsonParseException", "The request body must be a JSON object {\"query\": ..., \"variables\": {...}}"));
        }

        if (obj["query"] is not JsonValue queryValue || !queryValue.TryGetValue<string>(out var query) || query.Trim().Length == 0)
        {
            return (null, new BadRequest("BadRequest", "No query string was present"));
        }

        var variables = obj["variables"];
        if (variables is not null and not JsonObject)
        {
            return (null, new BadRequest(
                "InvalidVariablesException",
                $"variables must be a JSON object, got {variables.GetValueKind().ToString().ToLowerInvariant()} (JSON-encoded variables are rejected since API version 2025-04)"));
        }

        var operationName = obj["operationName"] is JsonValue name && name.TryGetValue<string>(out var n) ? n : null;
        return (new GraphQLRequest(query, variables, operationName), null);
    }

    private bool IsAuthorized(string header)
    {
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : header.Trim();
        if (token.Length == 0)
        {
            return false;
        }

        return options.RequiredToken is null
            || System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(options.RequiredToken));
    }

    private async Task HangAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        faults.HangStarted();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, options.TimeProvider, linked.Token);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
        finally
        {
            faults.HangEnded();
        }
    }

    private async Task WriteServerErrorAsync(HttpContext context, int statusCode, string requestId)
    {
        switch (statusCode)
        {
            case 503:
                context.Response.Headers.RetryAfter = "5";
                await WriteAsync(context, 503, ErrorBody("Request processing timeout exceeded", "TIMEOUT_EXCEEDED", requestId, new JsonObject { ["status_code"] = 503 }));
                break;
            case 500:
                await WriteAsync(context, 500, ErrorBody("Internal server error", "INTERNAL_SERVER_ERROR", requestId, new JsonObject { ["status_code"] = 500 }));
                break;
            default:
                // Gateways in front of monday answer 502/504 with an HTML page, not JSON: clients must cope.
                context.Response.StatusCode = statusCode;
                context.Response.ContentType = "text/html; charset=utf-8";
                AddRateLimitHeaders(context);
                await context.Response.WriteAsync(
                    $"<html><head><title>{statusCode}</title></head><body><h1>{statusCode} {(statusCode == 502 ? "Bad Gateway" : "Gateway Timeout")}</h1></body></html>",
                    context.RequestAborted);
                break;
        }
    }

    private RateLimitRejection FaultRejection(MondayFault fault)
    {
        var code = fault.RateLimitCode!;
        var now = options.TimeProvider.GetUtcNow();
        var seconds = fault.RetryInSeconds
            ?? (int)Math.Ceiling((new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now).TotalSeconds);
        // monday puts the complexity wait in the body only; the request-count limits also send Retry-After.
        return new RateLimitRejection(code, MondayRateLimitCodes.Message(code), Math.Max(1, seconds), code != MondayRateLimitCodes.ComplexityBudgetExhausted);
    }

    /// <summary>Any request before this answer's hint has passed is counted in <see cref="MondayEmulatorStats.RequestsBeforeHint"/>.</summary>
    private void RememberHint(RateLimitRejection rejection)
    {
        lock (_hintGate)
        {
            var until = options.TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(rejection.RetryInSeconds);
            if (until > _notBefore)
            {
                _notBefore = until;
            }
        }
    }

    private async Task WriteRateLimitedAsync(HttpContext context, RateLimitRejection rejection, string requestId)
    {
        RememberHint(rejection);
        stats.CountRateLimited(rejection.Code);
        if (rejection.SendRetryAfterHeader)
        {
            context.Response.Headers.RetryAfter = rejection.RetryInSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await WriteAsync(context, options.RateLimits.RateLimitHttpStatus, RateLimitBody(rejection, requestId));
    }


    private static JsonObject RateLimitBody(RateLimitRejection rejection, string requestId) => new()
    {
        ["errors"] = new JsonArray(new JsonObject
        {
            ["message"] = rejection.Message,
            ["extensions"] = new JsonObject { ["code"] = rejection.Code, ["retry_in_seconds"] = rejection.RetryInSeconds },
        }),
        ["extensions"] = new JsonObject { ["request_id"] = requestId },
    };

    internal static JsonObject ErrorBody(string message, string code, string requestId, JsonObject? extra = null)
    {
        var extensions = new JsonObject { ["code"] = code };
        foreach (var (key, value) in extra ?? [])
        {
            extensions[key] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["extensions"] = extensions }),
            ["extensions"] = new JsonObject { ["request_id"] = requestId },
        };
    }

    private static JsonObject ErrorsBody(IReadOnlyList<MondayGraphQLError> errors, string requestId, JsonObject? data, bool includeData = false)
    {
        var body = new JsonObject();
        if (includeData)
        {
            body["data"] = data;
        }

        if (errors.Count > 0)
        {
            body["errors"] = new JsonArray(errors.Select(e => (JsonNode)e.ToJson()).ToArray());
        }

        body["extensions"] = new JsonObject { ["request_id"] = requestId };
        return body;
    }

    private Task WriteAsync(HttpContext context, int statusCode, JsonObject body) =>
        WriteBytesAsync(context, statusCode, Encoding.UTF8.GetBytes(body.ToJsonString(ResponseJson)));

    private async Task WriteBytesAsync(HttpContext context, int statusCode, byte[] body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = JsonContentType;
        AddRateLimitHeaders(context);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private void AddRateLimitHeaders(HttpContext context)
    {
        context.Response.Headers["RateLimit-Policy"] = limiter.PolicyHeader();
        context.Response.Headers["RateLimit"] = limiter.StateHeader();
    }
}
