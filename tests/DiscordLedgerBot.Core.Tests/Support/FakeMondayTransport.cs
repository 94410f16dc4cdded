using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday;

namespace DiscordLedgerBot.Core.Tests.Support;

/// <summary>Records every request and answers from a script (one responder per call, the last one repeats).</summary>
internal sealed class FakeMondayTransport : IMondayTransport
{
    private readonly Queue<Func<MondayRequest, MondayRawResponse>> _script = new();
    private Func<MondayRequest, MondayRawResponse>? _last;

    public List<MondayRequest> Requests { get; } = [];

    public FakeMondayTransport Then(Func<MondayRequest, MondayRawResponse> responder)
    {
        _script.Enqueue(responder);
        return this;
    }

    public FakeMondayTransport Then(MondayRawResponse response) => Then(_ => response);

    public Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        if (_script.TryDequeue(out var next))
        {
            _last = next;
        }

        var responder = _last ?? throw new InvalidOperationException("The test scripted no response for this request.");
        return Task.FromResult(responder(request));
    }

    public static MondayRawResponse Json(int status, JsonObject body, params (string Name, string Value)[] headers) =>
        new(status, body.ToJsonString(), headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase));

    public static MondayRawResponse Data(JsonObject data, long after = 9_000_000, int resetIn = 60, long query = 10_000) =>
        Json(200, new JsonObject
        {
            ["data"] = WithComplexity(data, after, resetIn, query),
            ["extensions"] = new JsonObject { ["request_id"] = "test" },
        });

    public static JsonObject WithComplexity(JsonObject data, long after, int resetIn, long query)
    {
        data["complexity"] = new JsonObject { ["before"] = after + query, ["after"] = after, ["query"] = query, ["reset_in_x_seconds"] = resetIn };
        return data;
    }

    public static MondayRawResponse Error(int status, string code, string message, double? retryInSeconds = null, params (string Name, string Value)[] headers)
    {
        var extensions = new JsonObject { ["code"] = code };
        if (retryInSeconds is { } seconds)
        {
            extensions["retry_in_seconds"] = seconds;
        }

        return Json(status, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["extensions"] = extensions }) }, headers);
    }
}
