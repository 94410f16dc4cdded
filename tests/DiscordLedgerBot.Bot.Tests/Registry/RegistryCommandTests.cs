using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Bot.Tests.Registry;

public sealed class RegistryCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dlb-registry-cli-" + Guid.NewGuid().ToString("N"));
    private readonly string _storePath;
    private readonly string _catalogPath;
    private readonly FakeTimeProvider _time = new(TestTime.Start);

    public RegistryCommandTests()
    {
        _catalogPath = RegistryHost.WriteCatalog(_directory, [RegistryHost.Tool("cursor", priority: 10), RegistryHost.Tool("zed", priority: 20, lifecycle: "experimental")]);
        _storePath = Path.Combine(_directory, "store", "registry.json");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Override_persists_and_shows_in_list_and_rank_then_clear_removes_it()
    {
        var set = await RunAsync("override", "--tool", "zed", "--action", "force-prefer", "--workflow", "code-edit", "--actor", "alice", "--reason", "cursor outage", "--for", "2h", "--no-wait");
        Assert.Equal(0, set.Exit);
        Assert.Contains("Override set: zed force-preferred for code-edit by alice (cursor outage) until 2026-11-21 11:00:00Z", set.Output, StringComparison.Ordinal);
        Assert.Contains("Audit note recorded in the outbox", set.Output, StringComparison.Ordinal);

        var list = await RunAsync("list");
        Assert.Contains("override: force-preferred for code-edit by alice (cursor outage)", list.Output, StringComparison.Ordinal);

        var rank = await RunAsync("rank", "--workflow", "code-edit");
        Assert.Contains("1. zed [eligible]", rank.Output, StringComparison.Ordinal);
        Assert.Contains("2. cursor [eligible]", rank.Output, StringComparison.Ordinal);

        var clear = await RunAsync("clear", "--tool", "zed", "--workflow", "code-edit", "--actor", "alice", "--reason", "outage over", "--no-wait");
        Assert.Equal(0, clear.Exit);
        var snapshot = await new FileRegistryStore(_storePath).LoadAsync(CancellationToken.None);
        Assert.Empty(snapshot!.Overrides);
        Assert.Equal(["override-force-prefer", "override-cleared"], snapshot.Audit.Select(a => a.Action));
    }

    [Fact]
    public async Task Rejected_commands_exit_1_with_a_clear_error_and_change_nothing()
    {
        var unknown = await RunAsync("override", "--tool", "ghost", "--action", "disable", "--actor", "a", "--reason", "r");
        var past = await RunAsync("override", "--tool", "cursor", "--action", "disable", "--actor", "a", "--reason", "r", "--expires", "2020-01-01T00:00:00Z");
        var nothingToClear = await RunAsync("clear", "--tool", "cursor", "--actor", "a", "--reason", "r");

        Assert.Equal((1, "error: Tool 'ghost' is not registered."), (unknown.Exit, unknown.Error[..38]));
        Assert.Equal(1, past.Exit);
        Assert.Contains("is not in the future", past.Error, StringComparison.Ordinal);
        Assert.Equal("error: tool 'cursor' has no override for all workflows.", nothingToClear.Error.Trim());
        var snapshot = await new FileRegistryStore(_storePath).LoadAsync(CancellationToken.None);
        Assert.Equal(1, snapshot!.Revision);
        Assert.Empty(snapshot.Audit);
    }

    [Fact]
    public async Task Usage_errors_are_reported_as_such()
    {
        await Assert.ThrowsAsync<CliUsageException>(() => RunAsync("override", "--tool", "cursor", "--action", "explode", "--actor", "a", "--reason", "r"));
        await Assert.ThrowsAsync<CliUsageException>(() => RunAsync("override", "--tool", "cursor", "--action", "disable", "--actor", "a", "--reason", "r", "--for", "soon"));
        await Assert.ThrowsAsync<CliUsageException>(() => RunAsync("frobnicate"));
    }

    [Fact]
    public async Task Validate_accepts_the_catalog_and_reports_every_error_of_a_bad_one()
    {
        var ok = await RunAsync("validate");
        Assert.Equal(0, ok.Exit);
        Assert.Contains("valid (2 tools, 4 workflows)", ok.Output, StringComparison.Ordinal);

        var bad = Path.Combine(_directory, "bad.json");
        await File.WriteAllTextAsync(bad, """{ "workflows": ["code-edit"], "tools": [ { "id": "x", "displayName": "X", "surface": "mcp", "owner": "o", "lifecycle": "production", "workflows": ["code-edit"], "healthCheck": { "kind": "http", "url": "not a url" }, "fallbackPriority": 5000 } ] }""");
        var invalid = await RunAsync("validate", "--file", bad);
        Assert.Equal(1, invalid.Exit);
        Assert.Contains("error: tool 'x': healthCheck.url must be an absolute http(s) URL, got 'not a url'.", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("error: tool 'x': fallbackPriority must be between 0 and 1000, got 5000.", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_redis_store_is_used_when_configured()
    {
        await using var server = await RedisServer.StartAsync();
        var redis = new Dictionary<string, string?> { ["Registry:Store"] = "redis", ["Redis:ConnectionString"] = server.ConnectionString };

        var set = await RunWithAsync(redis, "override", "--tool", "cursor", "--action", "disable", "--actor", "alice", "--reason", "incident", "--no-wait");
        var list = await RunWithAsync(redis, "list");

        Assert.Equal(0, set.Exit);
        Assert.Contains("override: disabled for all workflows by alice (incident)", list.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_storePath));
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var snapshot = await new RedisRegistryStore(connection.GetDatabase()).LoadAsync(CancellationToken.None);
        Assert.Equal("cursor", Assert.Single(snapshot!.Overrides).ToolId);
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunWithAsync(new Dictionary<string, string?>(), args);

    private async Task<(int Exit, string Output, string Error)> RunWithAsync(Dictionary<string, string?> extra, params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:StorePath"] = _storePath,
            ["Registry:CatalogPath"] = _catalogPath,
            // Audit notes go to the outbox (memory here; --no-wait, so nothing is sent to monday).
            ["Storage:Backend"] = "memory",
            ["Monday:Token"] = "registry-cli-token",
            ["Monday:ApiUrl"] = "http://127.0.0.1:9/v2",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(configuration, output, error) { Time = _time };
        var exit = await new RegistryCommand().RunAsync(context, args, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
