using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Handoff;

/// <summary>
/// The CLI's outbox while a running bot holds the data directory: appends and reads go to the bot's local hand-off
/// endpoint (<see cref="HandoffEndpoints"/>), so a command recorded from the CLI lands in the bot's own outbox and the
/// bot flushes it. Flushing, claiming and cache operations belong to the bot and are refused here.
/// </summary>
public sealed class HandoffStorage(HttpClient http, BotEndpointFile endpoint) : IStorageBackend
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "bot";

    public BotEndpointFile Endpoint => endpoint;

    public async Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Post, "outbox");
        request.Content = JsonContent.Create(command, options: Json);
        return await SendAsync<OutboxAppendResult>(request, cancellationToken) ?? throw Unavailable("an empty answer");
    }

    public async Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, "outbox/" + Uri.EscapeDataString(idempotencyKey));
        return await SendAsync<OutboxRecord>(request, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, FormattableString.Invariant($"outbox?state={state}&limit={limit}"));
        return await SendAsync<List<OutboxRecord>>(request, cancellationToken) ?? [];
    }

    public async Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, "outbox-counts");
        return await SendAsync<OutboxCounts>(request, cancellationToken) ?? throw Unavailable("an empty answer");
    }

    public Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task SetEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<bool> CompareAndSetEntryAsync(string ledgerKey, string? expectedJson, LedgerCacheEntry? replacement, CancellationToken cancellationToken = default) => throw HeldByBot();

    public Task<bool> TryMarkAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken = default) => throw HeldByBot();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(endpoint.Url, HandoffEndpoints.Prefix + "/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
        return request;
    }

    private async Task<T?> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(e.Message, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable("no answer in time", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound && request.Method == HttpMethod.Get)
            {
                return default;
            }

            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                // The bot refuses writes in read-only mode; its problem detail says so.
                throw new HandoffRefusedException(await ProblemDetailAsync(response, cancellationToken));
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Unavailable($"HTTP {(int)response.StatusCode}: {await ProblemDetailAsync(response, cancellationToken)}");
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
        }
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private StorageUnavailableException Unavailable(string why, Exception? inner = null) =>
        new($"The running bot (pid {endpoint.ProcessId}, {endpoint.Url}) holds the data directory, and handing the command to it failed: {why}. Nothing was recorded.", inner);

    private StorageLockedException HeldByBot() =>
        new($"The running bot (pid {endpoint.ProcessId}, {endpoint.Url}) holds the data directory and does this itself; stop it to run this verb.", null);
}

/// <summary>The running bot refused the handed-over command (e.g. read-only mode); nothing was recorded.</summary>
public sealed class HandoffRefusedException(string message) : InvalidOperationException(message);
