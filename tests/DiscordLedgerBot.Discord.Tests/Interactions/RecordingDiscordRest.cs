using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Rest;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

/// <summary>
/// An in-memory IDiscordRest that records every request (with its body serialized exactly as a client would) and
/// answers from a per-route responder.
/// </summary>
internal sealed class RecordingDiscordRest : IDiscordRest
{
    private readonly object _gate = new();
    private readonly List<RecordedCall> _calls = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

    /// <summary>Answers a request; default: 204 (null) except follow-ups, which get a message with an id.</summary>
    public Func<DiscordRestRequest, JsonElement?> Responder { get; set; } = DefaultResponse;

    public IReadOnlyList<RecordedCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public Task<JsonElement?> SendAsync(DiscordRestRequest request, CancellationToken cancellationToken)
    {
        var body = request.Body is null ? null : JsonNode.Parse(JsonSerializer.Serialize(request.Body, request.Body.GetType()));
        var call = new RecordedCall(request, ConcretePath(request), body);
        JsonElement? response;
        lock (_gate)
        {
            _calls.Add(call);
            response = Responder(request);
            foreach (var waiter in _waiters.Where(w => _calls.Count >= w.Count).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        return Task.FromResult(response);
    }

    /// <summary>Completes once at least <paramref name="count"/> requests were made (fails the test after 10 s).</summary>
    public Task WaitForCallsAsync(int count)
    {
        lock (_gate)
        {
            if (_calls.Count >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public static string ConcretePath(DiscordRestRequest request) =>
        request.RouteValues.Aggregate(request.RouteTemplate, (path, value) => path.Replace("{" + value.Key + "}", value.Value, StringComparison.Ordinal));

    private static JsonElement? DefaultResponse(DiscordRestRequest request) =>
        request.Method == HttpMethod.Post && request.RouteTemplate == "/webhooks/{webhook_id}/{webhook_token}"
            ? JsonDocument.Parse("""{"id":"1300000000000000001","content":"x"}""").RootElement.Clone()
            : null;
}

internal sealed record RecordedCall(DiscordRestRequest Request, string Path, JsonNode? Body)
{
    public HttpMethod Method => Request.Method;

    public string Template => Request.RouteTemplate;

    public int? CallbackType => Body?["type"]?.GetValue<int>();
}
