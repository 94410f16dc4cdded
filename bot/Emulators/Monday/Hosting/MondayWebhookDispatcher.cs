using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DiscordLedgerBot.Emulators.Monday.Execution;

namespace DiscordLedgerBot.Emulators.Monday.Hosting;

/// <summary>
/// Board webhooks as monday runs them: a new webhook's URL gets <c>{"challenge": …}</c> and must echo it (otherwise
/// the webhook is removed — monday refuses the create; the emulator answers first and verifies right after), then
/// every matching item event is POSTed as <c>{"event": {…}}</c> with a fresh <c>triggerUuid</c>. One sender in order,
/// so a challenge always precedes its webhook's first event. Deliveries are kept for <see cref="MondayEmulator.RedeliverAsync"/>.
/// </summary>
internal sealed class MondayWebhookDispatcher : IAsyncDisposable
{
    private readonly MondayStore _store;
    private readonly MondayEmulatorStats _stats;
    public const string HttpClientName = "monday-emulator-webhooks";

    private readonly HttpClient _http;
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _sender;
    private readonly List<MondayWebhookDelivery> _deliveries = [];
    private long _pending;

    public MondayWebhookDispatcher(MondayStore store, MondayEmulatorStats stats, HttpClient http)
    {
        _http = http;
        _store = store;
        _stats = stats;
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Work queued or being sent (challenges and deliveries).</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public IReadOnlyList<MondayWebhookDelivery> Deliveries
    {
        get
        {
            lock (_deliveries)
            {
                return [.. _deliveries];
            }
        }
    }

    public void Created(IEnumerable<WebhookRecord> webhooks)
    {
        foreach (var webhook in webhooks)
        {
            Enqueue(token => ChallengeAsync(webhook, token));
        }
    }

    public void Raise(IEnumerable<MondayItemEvent> events)
    {
        foreach (var @event in events)
        {
            Enqueue(token => DeliverAsync(@event, token));
        }
    }

    /// <summary>Sends a delivery's body again, marked <c>isRetry</c>, as monday does when a delivery failed.</summary>
    public async Task<int> RedeliverAsync(MondayWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(delivery.Body)!.AsObject();
        body["event"]!["isRetry"] = true;
        using var response = await _http.PostAsync(delivery.Url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
        _stats.CountWebhookDelivery();
        return (int)response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _sender;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }

    private void Enqueue(Func<CancellationToken, Task> work)
    {
        Interlocked.Increment(ref _pending);
        if (!_work.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task SendLoopAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync(_stopping.Token))
        {
            try
            {
                await work(_stopping.Token);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !_stopping.IsCancellationRequested)
            {
                // An unreachable receiver loses that delivery, as with monday after its retries.
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task ChallengeAsync(WebhookRecord webhook, CancellationToken cancellationToken)
    {
        var challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var verified = false;
        try
        {
            using var response = await _http.PostAsJsonAsync(webhook.Url, new { challenge }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                verified = answer?["challenge"]?.GetValue<string>() == challenge;
            }
        }
        catch (HttpRequestException)
        {
            verified = false;
        }

        lock (_store.Gate)
        {
            if (verified)
            {
                webhook.Verified = true;
            }
            else
            {
                _store.State.Webhooks.Remove(webhook);
            }

            _store.Save();
        }
    }

    private async Task DeliverAsync(MondayItemEvent @event, CancellationToken cancellationToken)
    {
        List<WebhookRecord> targets;
        lock (_store.Gate)
        {
            targets = _store.State.Webhooks.Where(w => w.Verified && w.BoardId == @event.BoardId && Matches(w, @event)).ToList();
        }

        foreach (var webhook in targets)
        {
            var body = Payload(webhook, @event).ToJsonString();
            int status;
            try
            {
                using var response = await _http.PostAsync(webhook.Url, new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            _stats.CountWebhookDelivery();
            lock (_deliveries)
            {
                _deliveries.Add(new MondayWebhookDelivery(webhook.Id, webhook.Url, body, status));
            }
        }
    }

    private static bool Matches(WebhookRecord webhook, MondayItemEvent @event)
    {
        var configColumn = webhook.Config is null ? null : JsonNode.Parse(webhook.Config)?["columnId"]?.GetValue<string>();
        return webhook.Event switch
        {
            "change_column_value" => @event.Event == "change_column_value",
            "change_status_column_value" => @event.Event == "change_column_value" && @event.ColumnType == "status" && (configColumn is null || configColumn == @event.ColumnId),
            "change_specific_column_value" => @event.Event == "change_column_value" && configColumn == @event.ColumnId,
            _ => webhook.Event == @event.Event,
        };
    }

    private static JsonObject Payload(WebhookRecord webhook, MondayItemEvent @event)
    {
        var body = new JsonObject
        {
            ["app"] = "monday",
            ["type"] = @event.Event switch
            {
                "create_item" => "create_pulse",
                "change_column_value" => "update_column_value",
                "change_name" => "update_name",
                "item_archived" => "archive_pulse",
                "item_deleted" => "delete_pulse",
                "item_moved_to_any_group" => "move_pulse_into_group",
                _ => @event.Event,
            },
            ["triggerTime"] = @event.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["subscriptionId"] = webhook.Id,
            ["isRetry"] = false,
            ["userId"] = @event.UserId,
            ["originalTriggerUuid"] = null,
            ["boardId"] = @event.BoardId,
            ["groupId"] = @event.GroupId,
            ["pulseId"] = @event.ItemId,
            ["pulseName"] = @event.ItemName,
            ["triggerUuid"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        if (@event.ColumnId is not null)
        {
            body["columnId"] = @event.ColumnId;
            // Webhook payloads keep monday's legacy column type names.
            body["columnType"] = @event.ColumnType == "status" ? "color" : @event.ColumnType;
            body["value"] = @event.Value is null ? null : JsonNode.Parse(@event.Value);
            body["previousValue"] = @event.PreviousValue is null ? null : JsonNode.Parse(@event.PreviousValue);
            body["changedAt"] = @event.At.ToUnixTimeMilliseconds() / 1000.0;
        }

        if (@event.Event == "item_moved_to_any_group")
        {
            body["destGroupId"] = @event.Value;
            body["sourceGroupId"] = @event.PreviousValue;
            body.Remove("value");
        }

        return new JsonObject { ["event"] = body };
    }
}
