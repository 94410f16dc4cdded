using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.OpenApi;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Emulators.Tests.Discord;

/// <summary>
/// A bot written the way ordinary bots talk to Discord, with no code of ours in between: raw HTTP with the bot token
/// and a gateway WebSocket that identifies and reads every dispatch. Interactions are injected through the emulator's
/// HTTP control API, as an out-of-process test would.
/// </summary>
internal sealed class RawBot : IAsyncDisposable
{
    private static readonly Lazy<DiscordOpenApiValidator> Spec = new(() => DiscordOpenApiValidator.Load(SharedContracts.Contract("discord", "openapi.json")));
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiving;

    private RawBot(DiscordEmulator emulator)
    {
        Emulator = emulator;
        Http = new HttpClient { BaseAddress = new Uri(emulator.RestBaseUrl + "/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", emulator.Options.BotToken);
        Http.DefaultRequestHeaders.UserAgent.ParseAdd("DiscordBot (https://example.invalid, 1.0)");
    }

    public static DiscordOpenApiValidator Validator => Spec.Value;

    public DiscordEmulator Emulator { get; }

    public HttpClient Http { get; }

    /// <summary>Every dispatch frame the bot received (<c>{op, t, s, d}</c>), in order.</summary>
    public ObservableLog<JsonObject> Dispatches { get; } = new();

    public string GuildId => Emulator.Guilds[0].Id;

    public static async Task<RawBot> StartAsync(DiscordEmulatorOptions? options = null, int intents = 129)
    {
        var bot = new RawBot(await DiscordEmulator.StartAsync(options));
        await bot._socket.ConnectAsync(new Uri(bot.Emulator.GatewayUrl + "?v=10&encoding=json"), CancellationToken.None);
        var hello = await bot.ReceiveAsync();
        Assert.Equal(10, hello["op"]!.GetValue<int>());
        await bot._socket.SendAsync(
            Encoding.UTF8.GetBytes(new JsonObject
            {
                ["op"] = 2,
                ["d"] = new JsonObject { ["token"] = bot.Emulator.Options.BotToken, ["intents"] = intents, ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "raw", ["device"] = "raw" } },
            }.ToJsonString()),
            WebSocketMessageType.Text,
            endOfMessage: true,
            CancellationToken.None);
        bot._receiving = bot.ReceiveLoopAsync();
        await bot.DispatchAsync("GUILD_CREATE");
        return bot;
    }

    public Task<JsonObject> DispatchAsync(string eventName, Func<JsonObject, bool>? where = null) =>
        Dispatches.WaitForAsync(frame => frame["t"]?.GetValue<string>() == eventName && (where is null || where((JsonObject)frame["d"]!)));

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> OkAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        var (status, answer) = await SendAsync(method, path, body);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created, $"{method} {path} answered {(int)status}: {answer?.ToJsonString()}");
        return answer!;
    }

    /// <summary>Injects through <c>POST /__emulator/interactions</c> and returns the INTERACTION_CREATE the bot received.</summary>
    public async Task<JsonObject> InjectAsync(JsonObject interaction)
    {
        using var response = await Http.PostAsync(new Uri(Emulator.BaseUrl, "/__emulator/interactions"), new StringContent(interaction.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        var id = body["id"]!.GetValue<string>();
        var frame = await DispatchAsync("INTERACTION_CREATE", d => d["id"]!.GetValue<string>() == id);
        return (JsonObject)frame["d"]!;
    }

    /// <summary>
    /// What Discord's spec (and the gateway facts) say is wrong about everything exchanged so far. A test that sends bad
    /// input on purpose leaves out <paramref name="includeRequests"/>: only the emulator's side is judged then.
    /// </summary>
    public IReadOnlyList<string> Violations(bool includeRequests = true) =>
    [
        .. Emulator.RestRequests.Snapshot().SelectMany(request =>
            (includeRequests ? Validator.Validate(new HttpMethod(request.Method), request.Path, request.Body) : [])
                .Concat(Validator.ValidateResponse(new HttpMethod(request.Method), request.Path, request.StatusCode, request.ResponseBody))),
        .. Dispatches.Snapshot().SelectMany(frame => Validator.ValidateDispatch(frame["t"]!.GetValue<string>(), frame["d"])),
    ];

    /// <summary>Fails with every violation listed, one a line.</summary>
    public void AssertConforms(bool includeRequests = true)
    {
        var violations = Violations(includeRequests);
        Assert.True(violations.Count == 0, $"{violations.Count} violations:\n" + string.Join('\n', violations.Distinct().Take(40)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        if (_receiving is not null)
        {
            await _receiving;
        }

        _socket.Dispose();
        Http.Dispose();
        await Emulator.DisposeAsync();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var frame = await ReceiveAsync();
                if (frame["op"]?.GetValue<int>() == 0)
                {
                    Dispatches.Add(frame);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The test is over.
        }
    }

    private async Task<JsonObject> ReceiveAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WebSocketReceiveResult result;
        do
        {
            var chunk = new byte[16 * 1024];
            result = await _socket.ReceiveAsync(chunk, _stop.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed by the emulator");
            }

            buffer.Write(chunk.AsSpan(0, result.Count));
        }
        while (!result.EndOfMessage);

        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }
}
