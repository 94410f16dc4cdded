using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Registry;

/// <summary>The admin API over real HTTP against a minimal host wired with AddCapabilityRegistry + MapRegistryAdmin.</summary>
public sealed class RegistryAdminApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private RegistryHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await RegistryHost.StartAsync(
            [
                RegistryHost.Tool("cursor", priority: 10),
                RegistryHost.Tool("zed", priority: 20),
                RegistryHost.Tool("agent", new HealthCheckDocument { Kind = "ttl", IntervalSeconds = 30, TimeoutMs = 1000, MaxAgeSeconds = 60 }, priority: 30),
            ],
            configure: services => services.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task No_token_and_wrong_token_get_401_problem_and_change_nothing()
    {
        var before = await StateAsync();
        using var anonymous = await _host.Client.PostAsync("/admin/registry/tools/cursor/overrides", OverrideBody("disable"));
        using var wrong = await SendAsync(HttpMethod.Post, "/admin/registry/tools/cursor/overrides", OverrideBody("disable"), token: "not-the-admin-token");
        using var agentOnAdmin = await SendAsync(HttpMethod.Get, "/admin/registry/tools", token: RegistryHost.AgentToken);

        foreach (var response in new[] { anonymous, wrong, agentOnAdmin })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.DoesNotContain(RegistryHost.AdminToken, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Unknown_tool_gets_404_with_a_clear_message_and_changes_nothing()
    {
        var before = await StateAsync();

        using var response = await SendAsync(HttpMethod.Post, "/admin/registry/tools/ghost/overrides", OverrideBody("disable"));
        using var get = await SendAsync(HttpMethod.Get, "/admin/registry/tools/ghost");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unknown tool", problem.GetProperty("title").GetString());
        Assert.StartsWith("Tool 'ghost' is not registered.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("2026-11-21T08:59:59Z", "is not in the future")]
    [InlineData("next tuesday", "is not an ISO-8601 timestamp")]
    public async Task Bad_expiry_gets_400_and_changes_nothing(string expiresAt, string message)
    {
        var before = await StateAsync();

        using var response = await SendAsync(HttpMethod.Post, "/admin/registry/tools/cursor/overrides", OverrideBody("disable", expiresAt: expiresAt));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Bad_bodies_get_400_and_change_nothing()
    {
        var before = await StateAsync();
        using var badAction = await SendAsync(HttpMethod.Post, "/admin/registry/tools/cursor/overrides", OverrideBody("nuke"));
        using var unknownField = await SendAsync(HttpMethod.Post, "/admin/registry/tools/cursor/overrides", Json("""{ "action": "disable", "actor": "a", "reason": "r", "colour": "red" }"""));
        using var noReason = await SendAsync(HttpMethod.Post, "/admin/registry/tools/cursor/overrides", Json("""{ "action": "disable", "actor": "a" }"""));
        using var badTool = await SendAsync(HttpMethod.Put, "/admin/registry/tools/newbie?actor=ops", Json("""{ "displayName": "New", "surface": "mcp", "owner": "o", "lifecycle": "production", "workflows": ["deploy"], "healthCheck": { "kind": "tcp", "host": "127.0.0.1", "port": 0 } }"""));

        Assert.All(new[] { badAction, unknownField, noReason, badTool }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var errors = (await badTool.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(errors, e => e!.StartsWith("tool 'newbie': workflows contains 'deploy'", StringComparison.Ordinal));
        Assert.Contains("tool 'newbie': healthCheck.port must be between 1 and 65535 for a tcp check, got 0.", errors);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Override_changes_the_ranking_is_audited_and_can_be_cleared()
    {
        using var set = await SendAsync(HttpMethod.Post, "/admin/registry/tools/zed/overrides", OverrideBody("force-prefer", workflow: "code-edit", expiresAt: "2026-11-21T10:00:00Z"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var applied = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("force-prefer", applied.GetProperty("action").GetString());

        using var rank = await SendAsync(HttpMethod.Get, "/admin/registry/rank?workflow=code-edit&affordances=multi-file-edit");
        var tools = (await rank.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tools");
        Assert.Equal("zed", tools[0].GetProperty("toolId").GetString());
        Assert.Contains("force-preferred for code-edit by alice", tools[0].GetProperty("reason").GetString(), StringComparison.Ordinal);

        using var cleared = await SendAsync(HttpMethod.Delete, "/admin/registry/tools/zed/overrides?workflow=code-edit&actor=alice&reason=done");
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        using var again = await SendAsync(HttpMethod.Delete, "/admin/registry/tools/zed/overrides?workflow=code-edit&actor=alice&reason=done");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        using var audit = await SendAsync(HttpMethod.Get, "/admin/registry/audit");
        var actions = (await audit.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(a => a.GetProperty("action").GetString());
        Assert.Equal(["override-force-prefer", "override-cleared"], actions);
    }

    [Fact]
    public async Task Tools_can_be_added_updated_and_removed_at_run_time()
    {
        var body = JsonSerializer.Serialize(RegistryHost.Tool("newbie", priority: 1) with { Id = null }, RegistryCatalogParser.JsonOptions);
        using var created = await SendAsync(HttpMethod.Put, "/admin/registry/tools/newbie?actor=ops", Json(body));
        using var updated = await SendAsync(HttpMethod.Put, "/admin/registry/tools/newbie?actor=ops", Json(body));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("unknown", (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("health").GetProperty("status").GetString());

        using var removed = await SendAsync(HttpMethod.Delete, "/admin/registry/tools/newbie?actor=ops&reason=trial%20over");
        using var removedAgain = await SendAsync(HttpMethod.Delete, "/admin/registry/tools/newbie?actor=ops&reason=trial%20over");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
    }

    [Fact]
    public async Task Heartbeats_accept_the_agent_token_and_only_for_ttl_tools()
    {
        using var accepted = await SendAsync(HttpMethod.Post, "/registry/tools/agent/heartbeat", token: RegistryHost.AgentToken);
        using var notTtl = await SendAsync(HttpMethod.Post, "/registry/tools/cursor/heartbeat", token: RegistryHost.AgentToken);
        using var unknown = await SendAsync(HttpMethod.Post, "/registry/tools/ghost/heartbeat", token: RegistryHost.AdminToken);
        using var anonymous = await _host.Client.PostAsync("/registry/tools/agent/heartbeat", null);

        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notTtl.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(_time.GetUtcNow(), _host.Registry.FindTool("agent")!.Health.LastHeartbeatAt);
    }

    [Fact]
    public async Task The_admin_api_is_off_unless_its_feature_flag_is_set()
    {
        await using var host = await RegistryHost.StartAsync([RegistryHost.Tool("cursor")], new Dictionary<string, string?> { ["Registry:AdminApiEnabled"] = "false" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/registry/tools");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RegistryHost.AdminToken);

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Everything a rejected call must leave untouched: revision, tools, overrides and audit.</summary>
    private async Task<string> StateAsync()
    {
        using var tools = await SendAsync(HttpMethod.Get, "/admin/registry/tools");
        using var audit = await SendAsync(HttpMethod.Get, "/admin/registry/audit");
        return $"r{_host.Registry.Revision} {await tools.Content.ReadAsStringAsync()} {await audit.Content.ReadAsStringAsync()}";
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, string token = RegistryHost.AdminToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _host.Client.SendAsync(request);
    }

    private static StringContent OverrideBody(string action, string? workflow = null, string? expiresAt = null) =>
        Json(JsonSerializer.Serialize(new { action, workflow, actor = "alice", reason = "incident 42", expiresAt }));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
