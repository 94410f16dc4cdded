using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Discord.Tests.Security;
using DiscordLedgerBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

/// <summary>The HTTP Interactions Endpoint on a real Kestrel socket (127.0.0.1, free port) with real Ed25519 keys.</summary>
public sealed class InteractionEndpointTests : IAsyncLifetime
{
    private readonly TimerCountingFakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddSeconds(1_795_000_000));
    private readonly RecordingDiscordRest _rest = new();
    private readonly Ed25519TestKeys _keys = new();
    private readonly TaskCompletionSource<InteractionResponse> _slowResult = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        var port = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Discord:PublicKey"] = _keys.PublicKeyHex });
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton<IDiscordRest>(_rest);
        builder.Services.AddDiscordInteractions(builder.Configuration, routes => routes
            .MapCommand("ledger add", (context, _) => Task.FromResult(InteractionResponse.Text($"Added {context.Interaction.Command!.GetString("title")}")))
            .MapComponent("slow:", (_, _) => _slowResult.Task)
            .MapCommand("ledger", (_, _) => _slowResult.Task));
        _app = builder.Build();
        _app.MapDiscordInteractions("/interactions");
        await _app.StartAsync();
        _http.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        _slowResult.TrySetResult(InteractionResponse.Text("cleanup"));
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private Task<HttpResponseMessage> PostAsync(string body, string? signature, string? timestamp)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/interactions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("X-Signature-Ed25519", signature);
        }

        if (timestamp is not null)
        {
            request.Headers.Add("X-Signature-Timestamp", timestamp);
        }

        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostSignedAsync(string body, DateTimeOffset? signedAt = null)
    {
        var timestamp = Ed25519TestKeys.Timestamp(signedAt ?? _time.GetUtcNow());
        return PostAsync(body, _keys.Sign(timestamp, body), timestamp);
    }

    [Fact]
    public async Task A_signed_ping_gets_a_pong()
    {
        using var response = await PostSignedAsync(InteractionJson.Ping);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"type":1}""", await response.Content.ReadAsStringAsync());
        Assert.Empty(_rest.Calls);
    }

    [Fact]
    public async Task Missing_forged_malformed_and_stale_requests_get_401()
    {
        var timestamp = Ed25519TestKeys.Timestamp(_time.GetUtcNow());
        var forged = new Ed25519TestKeys().Sign(timestamp, InteractionJson.Ping);

        using var missing = await PostAsync(InteractionJson.Ping, null, null);
        using var forgedResponse = await PostAsync(InteractionJson.Ping, forged, timestamp);
        using var malformed = await PostAsync(InteractionJson.Ping, "not-hex", timestamp);
        using var stale = await PostSignedAsync(InteractionJson.Ping, _time.GetUtcNow().AddMinutes(-6));

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized],
            new[] { missing.StatusCode, forgedResponse.StatusCode, malformed.StatusCode, stale.StatusCode });
    }

    [Fact]
    public async Task A_signed_but_unparseable_body_gets_400()
    {
        using var response = await PostSignedAsync("""{"type":2}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_fast_command_is_answered_in_the_http_response()
    {
        using var response = await PostSignedAsync(InteractionJson.LedgerAdd());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(4, body["type"]!.GetValue<int>());
        Assert.Equal("Added Ship v2", body["data"]!["content"]!.GetValue<string>());
        Assert.Empty(_rest.Calls);
    }

    [Fact]
    public async Task A_slow_command_is_deferred_in_the_http_response_and_finished_over_rest()
    {
        // Timers the host itself may have armed on the clock are not the deferral timer.
        var timersBefore = _time.TimersCreated;
        var responseTask = PostSignedAsync(InteractionJson.SlashCommand("ledger"));
        await Eventually.TrueAsync(() => _time.TimersCreated > timersBefore, "the dispatcher arms its deferral timer");

        _time.Advance(TimeSpan.FromSeconds(2.2));
        using var response = await responseTask;
        _slowResult.SetResult(InteractionResponse.Text("Board synchronised"));
        await _rest.WaitForCallsAsync(1);

        Assert.Equal("""{"type":5}""", await response.Content.ReadAsStringAsync());
        var edit = Assert.Single(_rest.Calls);
        Assert.Equal(HttpMethod.Patch, edit.Method);
        Assert.Equal("Board synchronised", edit.Body!["content"]!.GetValue<string>());
    }
}
