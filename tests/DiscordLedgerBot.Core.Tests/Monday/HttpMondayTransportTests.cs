using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Monday;

public class HttpMondayTransportTests
{
    [Fact]
    public async Task Sends_auth_version_and_idempotency_headers_with_variables_as_an_object()
    {
        var handler = new RecordingHandler(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"data\":{}}", Encoding.UTF8, "application/json") };
            response.Headers.TryAddWithoutValidation("Idempotency-Replayed", "true");
            response.Headers.TryAddWithoutValidation("API-Version", "2026-10");
            return response;
        });
        using var http = new HttpClient(handler);
        var transport = new HttpMondayTransport(http, Options.Create(TestOptions.Monday()));

        var raw = await transport.SendAsync(new MondayRequest("mutation ($n: String!) { x }", new JsonObject { ["n"] = "a \"quoted\" {name} $x" }, "slash:1:create"), CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("test-token-secret", request.Headers.GetValues("Authorization").Single());
        Assert.Equal("2026-10", request.Headers.GetValues("API-Version").Single());
        Assert.Equal("slash:1:create", request.Headers.GetValues("Idempotency-Key").Single());
        var body = JsonNode.Parse(handler.Bodies.Single())!.AsObject();
        Assert.Equal("mutation ($n: String!) { x }", body["query"]!.GetValue<string>());
        Assert.IsType<JsonObject>(body["variables"]);
        Assert.Equal("a \"quoted\" {name} $x", body["variables"]!["n"]!.GetValue<string>());
        Assert.Equal("true", raw.Header("idempotency-replayed"));
        Assert.Equal(200, raw.StatusCode);
    }

    [Fact]
    public async Task Queries_carry_no_idempotency_key()
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        using var http = new HttpClient(handler);
        var transport = new HttpMondayTransport(http, Options.Create(TestOptions.Monday()));

        await transport.SendAsync(new MondayRequest("query { me { id } }", [], null), CancellationToken.None);

        Assert.False(handler.Requests.Single().Headers.Contains("Idempotency-Key"));
    }

    private sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            Bodies.Add(await request.Content!.ReadAsStringAsync(cancellationToken));
            return respond(request);
        }
    }
}
