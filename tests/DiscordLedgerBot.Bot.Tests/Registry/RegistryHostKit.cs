using System.Text.Json;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Bot.Tests.Registry;

/// <summary>
/// A web host with the product's composition (CLI role: every service, no gateway or outbox worker) plus the one job
/// scheduler and the registry admin API, on a free loopback port, with a temp catalog.
/// </summary>
internal sealed class RegistryHost : IAsyncDisposable
{
    public const string AdminToken = "admin-token-0123456789abcdef";
    public const string AgentToken = "agent-token-0123456789abcdef";

    private readonly WebApplication _app;

    private RegistryHost(WebApplication app, string directory, string baseUrl)
    {
        _app = app;
        Directory = directory;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Directory { get; }

    public HttpClient Client { get; }

    public CapabilityRegistry Registry => _app.Services.GetRequiredService<CapabilityRegistry>();

    public static async Task<RegistryHost> StartAsync(
        IReadOnlyList<ToolDocument> tools,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "dlb-registry-host-" + Guid.NewGuid().ToString("N"));
        var catalogPath = WriteCatalog(directory, tools);
        var port = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var configuration = new Dictionary<string, string?>
        {
            ["Registry:AdminApiEnabled"] = "true",
            ["Registry:AdminToken"] = AdminToken,
            ["Registry:AgentToken"] = AgentToken,
            ["Registry:Store"] = "file",
            ["Registry:StorePath"] = Path.Combine(directory, "store", "registry.json"),
            ["Registry:CatalogPath"] = catalogPath,
            ["Registry:HealthChecksEnabled"] = "false",
            ["Storage:Backend"] = "memory",
            // Decisions are recorded in the (memory) outbox; nothing flushes them in this kit.
            ["Monday:Token"] = "registry-kit-token",
            ["Monday:ApiUrl"] = "http://127.0.0.1:9/v2",
            ["Discord:Token"] = "registry-kit-discord-token",
            ["Discord:ApplicationId"] = "1100000000000000001",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        configure?.Invoke(builder.Services);
        builder.Services.AddLedgerBot(builder.Configuration, LedgerBotRole.Cli).AddLedgerBotJobs();
        var app = builder.Build();
        app.MapRegistryAdmin();
        await app.StartAsync();
        return new RegistryHost(app, directory, $"http://127.0.0.1:{port}");
    }

    public static string WriteCatalog(string directory, IReadOnlyList<ToolDocument> tools)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "tools.json");
        var document = new RegistryCatalogDocument
        {
            Workflows = ["code-edit", "test-run", "git-flow", "quick-edit"],
            Tools = tools,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, RegistryCatalogParser.JsonOptions));
        return path;
    }

    public static ToolDocument Tool(string id, HealthCheckDocument? check = null, int priority = 100, string lifecycle = "production") => new()
    {
        Id = id,
        DisplayName = $"Tool {id}",
        Surface = "mcp",
        Owner = "team",
        Lifecycle = lifecycle,
        Workflows = ["code-edit", "quick-edit"],
        Affordances = ["multi-file-edit"],
        HealthCheck = check ?? new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 30, TimeoutMs = 1000, Host = "127.0.0.1", Port = 9 },
        Damping = new DampingDocument { SuccessesToPass = 1, FailuresToCritical = 1, WarningLatencyMs = 1000 },
        FallbackPriority = priority,
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
