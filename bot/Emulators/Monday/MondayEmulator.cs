using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday.Execution;
using DiscordLedgerBot.Emulators.Monday.Hosting;
using DiscordLedgerBot.Emulators.Monday.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>
/// An in-process HTTP emulator of monday.com's GraphQL API (version 2026-10) on 127.0.0.1: <c>POST /v2</c> with
/// monday's validation, errors, rate limits, idempotency keys and headers, plus fault injection for tests.
/// </summary>
public sealed class MondayEmulator : IAsyncDisposable
{
    /// <summary>The user every token acts as (<c>me</c>); seeded users are 1001 (admin), 1002 and 1003.</summary>
    public const long DefaultUserId = 1001;

    private readonly WebApplication _app;
    private readonly MondayStore _store;
    private readonly CancellationTokenSource _stopping;

    private readonly MondayWebhookDispatcher _webhooks;
    private readonly Action<long, JsonObject, string?> _editItem;

    private MondayEmulator(WebApplication app, MondayStore store, Uri baseUrl, MondayEmulatorFaults faults, MondayEmulatorStats stats, CancellationTokenSource stopping, MondayWebhookDispatcher webhooks, Action<long, JsonObject, string?> editItem)
    {
        _webhooks = webhooks;
        _editItem = editItem;
        _app = app;
        _store = store;
        BaseUrl = baseUrl;
        ApiUrl = new Uri(baseUrl, "/v2");
        Faults = faults;
        Stats = stats;
        _stopping = stopping;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/v2</c>, the GraphQL endpoint.</summary>
    public Uri ApiUrl { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>; the control API lives under <c>/__emulator/</c>.</summary>
    public Uri BaseUrl { get; }

    public MondayEmulatorFaults Faults { get; }

    public MondayEmulatorStats Stats { get; }

    public static async Task<MondayEmulator> StartAsync(MondayEmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var schema = MondaySchema.Load();
        var store = MondayStore.Open(options.StateFile, options.TimeProvider);
        var faults = new MondayEmulatorFaults();
        var stats = new MondayEmulatorStats();
        var limiter = new MondayRateLimiter(options.RateLimits, options.TimeProvider);
        var idempotency = new IdempotencyCache(options.TimeProvider, options.IdempotencyWindow);
        var stopping = new CancellationTokenSource();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        builder.Services.AddHttpClient(MondayWebhookDispatcher.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));
        var app = builder.Build();
        var webhooks = new MondayWebhookDispatcher(store, stats, app.Services.GetRequiredService<IHttpClientFactory>().CreateClient(MondayWebhookDispatcher.HttpClientName));
        var handler = new MondayRequestHandler(options, schema, store, limiter, idempotency, faults, stats, webhooks, stopping.Token);
        Action<long, JsonObject, string?> editItem = (id, values, group) => EditItem(store, schema, options, stats, webhooks, id, values, group);
        var control = new MondayControlApi(store, faults, stats, editItem);
        app.Run(context =>
        {
            var path = context.Request.Path.Value ?? string.Empty;
            if (path == "/v2")
            {
                return handler.HandleAsync(context);
            }

            if (options.EnableControlApi && path.StartsWith(MondayControlApi.Prefix, StringComparison.Ordinal))
            {
                return control.HandleAsync(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            await webhooks.DisposeAsync();
            stopping.Dispose();
            throw;
        }

        var port = LoopbackServer.BoundPort(app.Services);
        return new MondayEmulator(app, store, new Uri($"http://127.0.0.1:{port}/"), faults, stats, stopping, webhooks, editItem);
    }

    /// <summary>
    /// A person edits an item in monday's UI: <paramref name="columnValues"/> as <c>change_multiple_column_values</c>
    /// takes them (plus <c>name</c>), optionally a move to <paramref name="groupId"/>. No API request is counted or
    /// charged; <c>updated_at</c> moves and board webhooks fire.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown item, column or group, or a value the column refuses; nothing changed.</exception>
    public void EditItem(long itemId, JsonObject columnValues, string? groupId = null) => _editItem(itemId, columnValues, groupId);

    /// <summary>Webhook event deliveries so far (challenges not included).</summary>
    public IReadOnlyList<MondayWebhookDelivery> WebhookDeliveries => _webhooks.Deliveries;

    /// <summary>Challenges and deliveries queued or in flight.</summary>
    public long WebhooksPending => _webhooks.Pending;

    /// <summary>Webhooks that answered their challenge, as (id, board, event, url).</summary>
    public IReadOnlyList<(long Id, long BoardId, string Event, string Url)> Webhooks()
    {
        lock (_store.Gate)
        {
            return [.. _store.State.Webhooks.Where(w => w.Verified).Select(w => (w.Id, w.BoardId, w.Event, w.Url))];
        }
    }

    /// <summary>Delivers <paramref name="delivery"/> again (monday's retry, <c>isRetry: true</c>); returns the receiver's status.</summary>
    public Task<int> RedeliverAsync(MondayWebhookDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _webhooks.RedeliverAsync(delivery, cancellationToken);
    }

    private static void EditItem(MondayStore store, MondaySchema schema, MondayEmulatorOptions options, MondayEmulatorStats stats, MondayWebhookDispatcher webhooks, long itemId, JsonObject columnValues, string? groupId)
    {
        ArgumentNullException.ThrowIfNull(columnValues);
        IReadOnlyList<MondayItemEvent> events;
        lock (store.Gate)
        {
            try
            {
                var executor = new MondayExecutor(schema, store, options, stats);
                var context = new MondayExecutionContext(MondayApiVersions.Current, DefaultUserId, new ComplexitySnapshot(0, 0, 0, 0), options.TimeProvider.GetUtcNow());
                events = executor.EditDirectly(itemId, (JsonObject)columnValues.DeepClone(), groupId, context);
            }
            catch (MondayApiException e)
            {
                throw new ArgumentException($"{e.Code}: {e.Message}", nameof(columnValues), e);
            }
        }

        webhooks.Raise(events);
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> fires (for <c>bot emulate monday</c>).</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        await LoopbackServer.ServeUntilCancelledAsync(TimeProvider.System, cancellationToken);
    }

    public IReadOnlyList<MondayBoardSnapshot> Boards()
    {
        lock (_store.Gate)
        {
            return _store.State.Boards.Select(b => new MondayBoardSnapshot(
                b.Id, b.Name, b.BoardKind, b.State, b.WorkspaceId, b.ParentBoardId,
                b.Groups.OrderBy(g => g.Position).Select(g => new MondayGroupSnapshot(g.Id, g.Title, g.Color, g.Archived, g.Deleted)).ToList(),
                b.Columns.Select(c => new MondayColumnSnapshot(c.Id, c.Title, c.Type, c.Settings)).ToList())).ToList();
        }
    }

    /// <summary>Items (any state, including archived and deleted), optionally of one board, in board/position order.</summary>
    public IReadOnlyList<MondayItemSnapshot> Items(long? boardId = null)
    {
        lock (_store.Gate)
        {
            return _store.State.Items
                .Where(i => boardId is null || i.BoardId == boardId)
                .OrderBy(i => i.BoardId).ThenBy(i => i.Position)
                .Select(i => new MondayItemSnapshot(i.Id, i.BoardId, i.GroupId, i.Name, i.State, i.ParentItemId, i.CreatedAt, i.UpdatedAt,
                    new Dictionary<string, string>(i.Values, StringComparer.Ordinal)))
                .ToList();
        }
    }

    public IReadOnlyList<MondayUpdateSnapshot> Updates(long? itemId = null)
    {
        lock (_store.Gate)
        {
            return _store.State.Updates.Where(u => itemId is null || u.ItemId == itemId)
                .Select(u => new MondayUpdateSnapshot(u.Id, u.ItemId, u.ParentUpdateId, u.Body, u.CreatorId, u.CreatedAt)).ToList();
        }
    }

    public IReadOnlyList<MondayUserSnapshot> Users()
    {
        lock (_store.Gate)
        {
            return _store.State.Users.Select(u => new MondayUserSnapshot(u.Id, u.Name, u.Email, u.IsAdmin)).ToList();
        }
    }

    /// <summary>The whole state as the JSON written to the state file.</summary>
    public string ExportState()
    {
        lock (_store.Gate)
        {
            return _store.SerializeState();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _webhooks.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>
/// HTTP control surface for out-of-process tests and the sandbox: <c>GET /__emulator/state</c>, <c>GET /__emulator/stats</c>,
/// <c>POST /__emulator/faults</c> (<c>{"kind":"server_error|hang|drop|execute_then_drop","count":1,"status":503}</c> or
/// <c>{"kind":"random","ratio":0.1,"seed":42,"status":500}</c>), <c>DELETE /__emulator/faults</c>.
/// </summary>
internal sealed class MondayControlApi(MondayStore store, MondayEmulatorFaults faults, MondayEmulatorStats stats, Action<long, JsonObject, string?> editItem)
{
    public const string Prefix = "/__emulator/";

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value![Prefix.Length..];
        var method = context.Request.Method;
        switch (path)
        {
            case "state" when HttpMethods.IsGet(method):
                string state;
                lock (store.Gate)
                {
                    state = store.SerializeState();
                }

                await WriteJsonAsync(context, 200, state);
                return;
            case "stats" when HttpMethods.IsGet(method):
                await WriteJsonAsync(context, 200, StatsJson().ToJsonString());
                return;
            case "faults" when HttpMethods.IsDelete(method):
                faults.Clear();
                context.Response.StatusCode = 204;
                return;
            case "faults" when HttpMethods.IsPost(method):
                {
                    var problem = await AddFaultAsync(context);
                    if (problem is null)
                    {
                        context.Response.StatusCode = 204;
                    }
                    else
                    {
                        await WriteJsonAsync(context, 400, new JsonObject { ["error"] = problem }.ToJsonString());
                    }

                    return;
                }

            case var itemPath when itemPath.StartsWith("items/", StringComparison.Ordinal) && HttpMethods.IsPost(method):
                {
                    var problem = await EditItemAsync(context, itemPath["items/".Length..]);
                    if (problem is null)
                    {
                        context.Response.StatusCode = 204;
                    }
                    else
                    {
                        await WriteJsonAsync(context, 400, new JsonObject { ["error"] = problem }.ToJsonString());
                    }

                    return;
                }

            default:
                context.Response.StatusCode = 404;
                return;
        }
    }

    /// <summary><c>POST /__emulator/items/{id}</c> <c>{"column_values": {...}, "group_id": "..."}</c>: an edit made in monday's UI.</summary>
    private async Task<string?> EditItemAsync(HttpContext context, string id)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var itemId))
        {
            return "The item id must be digits";
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException e)
        {
            return "Body must be JSON: " + e.Message;
        }

        if (body is null || (body["column_values"] is not (null or JsonObject)) || (body["group_id"] is not null && body["group_id"]!.GetValueKind() != JsonValueKind.String))
        {
            return "Body must be {\"column_values\": {...}, \"group_id\": \"...\"}";
        }

        try
        {
            editItem(itemId, body["column_values"] as JsonObject ?? [], body["group_id"]?.GetValue<string>());
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private async Task<string?> AddFaultAsync(HttpContext context)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException e)
        {
            return "Body must be JSON: " + e.Message;
        }

        if (body is null)
        {
            return "Body must be a JSON object";
        }

        try
        {
            var count = body["count"]?.GetValue<int>() ?? 1;
            var status = body["status"]?.GetValue<int>() ?? 500;
            switch (body["kind"]?.GetValue<string>())
            {
                case "server_error":
                    faults.FailNext(count, status);
                    break;
                case "hang":
                    faults.HangNext(count);
                    break;
                case "drop":
                    faults.DropConnectionNext(count);
                    break;
                case "execute_then_drop":
                    faults.ExecuteThenDropResponseNext(count);
                    break;
                case "random":
                    faults.SetRandomFailureRatio(body["ratio"]?.GetValue<double>() ?? 0, body["seed"]?.GetValue<int>() ?? 0, status);
                    break;
                case "complexity_exhausted":
                    faults.ComplexityExhaustedNext(count, body["retry_in_seconds"]?.GetValue<int>() ?? 22);
                    break;
                case "minute_limit":
                    faults.MinuteLimitNext(count, body["retry_in_seconds"]?.GetValue<int>() ?? 41);
                    break;
                case "daily_limit":
                    faults.DailyLimitNext(count, body["retry_in_seconds"]?.GetValue<int>());
                    break;
                case "rate_limit_storm":
                    faults.SetRateLimitStorm(body["ratio"]?.GetValue<double>() ?? 0, body["seed"]?.GetValue<int>() ?? 0, body["retry_in_seconds"]?.GetValue<int>() ?? 5);
                    break;
                default:
                    return "kind must be one of server_error, hang, drop, execute_then_drop, random, complexity_exhausted, minute_limit, daily_limit, rate_limit_storm";
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return e.Message;
        }

        return null;
    }

    private JsonObject StatsJson()
    {
        var byCode = new JsonObject();
        foreach (var (code, count) in stats.RejectionsByCode)
        {
            byCode[code] = count;
        }

        return new JsonObject
        {
            ["total_requests"] = stats.TotalRequests,
            ["graphql_requests"] = stats.GraphQLRequests,
            ["rate_limited"] = stats.RateLimited,
            ["mutations_executed"] = stats.MutationsExecuted,
            ["mutation_fields_executed"] = stats.MutationFieldsExecuted,
            ["items_created"] = stats.ItemsCreated,
            ["idempotent_replays"] = stats.IdempotentReplays,
            ["idempotency_conflicts"] = stats.IdempotencyConflicts,
            ["faults_injected"] = stats.FaultsInjected,
            ["validation_failures"] = stats.ValidationFailures,
            ["unauthorized"] = stats.Unauthorized,
            ["requests_before_hint"] = stats.RequestsBeforeHint,
            ["webhook_deliveries"] = stats.WebhookDeliveries,
            ["rejections_by_code"] = byCode,
        };
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }
}
