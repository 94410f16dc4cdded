using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// `./run.sh --sandbox`: the production host, composed exactly as in production, plus in-process monday and Discord
/// emulators whose addresses and credentials override the configuration. At start it writes its endpoints to
/// <c>data/sandbox/endpoints.json</c> so people and scripts find them without reading logs.
/// </summary>
public sealed class SandboxHost : IBotHostExtension, IAsyncDisposable
{
    public const string EndpointsFileName = "endpoints.json";

    /// <summary>Where the sandbox's bot listens unless --urls says otherwise (the production default, 8080, stays free).</summary>
    public const string DefaultBotUrl = "http://127.0.0.1:5380";

    private readonly Action<WebApplicationBuilder>? _configure;
    private readonly TimeProvider? _botTime;
    private SandboxEnvironment? _environment;
    private List<KeyValuePair<string, string?>> _published = [];

    /// <param name="configure">What a test kit adds on top (e.g. a log collector); null for `./run.sh --sandbox`.</param>
    public SandboxHost(Action<WebApplicationBuilder>? configure = null) => _configure = configure;

    /// <param name="configure">What a test kit or the replay harness adds on top.</param>
    /// <param name="botTime">The bot's clock (the replay harness's, which scenarios move forward); the emulators keep real time.</param>
    public SandboxHost(Action<WebApplicationBuilder>? configure, TimeProvider botTime)
        : this(configure) => _botTime = botTime;

    /// <summary>The emulators and board, once <see cref="ConfigureAsync"/> started them.</summary>
    internal SandboxEnvironment Environment => _environment ?? throw new InvalidOperationException("The sandbox has not started.");

    /// <summary>The configuration a running (or the last) sandbox published, for operator verbs run against it.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> PublishedConfiguration(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, EndpointsFileName);
        if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path))?["configuration"] is not JsonObject configuration)
        {
            return [];
        }

        return configuration.Select(p => KeyValuePair.Create(p.Key, p.Value?.GetValue<string>())).ToList();
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var sandbox = new SandboxHost();
        return await BotHost.RunAsync([.. args.Where(a => a != "--sandbox")], sandbox, cancellationToken);
    }

    public async Task ConfigureAsync(WebApplicationBuilder builder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var dataDirectory = Path.GetFullPath(builder.Configuration["Sandbox:DataDirectory"] ?? Path.Combine("data", "sandbox"));
        _environment = await SandboxEnvironment.StartAsync(dataDirectory, TimeProvider.System, cancellationToken);
        // The emulators' addresses and credentials always win; where the outbox and registry live and how often monday is
        // polled are only defaults, so `./run.sh --sandbox --Storage:Backend=redis …` tries the sandbox on Redis.
        _published = [.. _environment.ConfigurationOverrides().Where(p => !IsStoreChoice(p.Key) || string.IsNullOrEmpty(builder.Configuration[p.Key]))];
        builder.Configuration.AddInMemoryCollection(_published);
        builder.Services.AddHttpClient(SandboxConsole.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
        if (_botTime is not null)
        {
            // Before the product composes: Quartz and every job take their clock at configuration.
            builder.Services.AddSingleton(_botTime);
        }

        _configure?.Invoke(builder);
        // Kestrel on a fixed loopback port unless the operator chose one, so the printed URLs stay the same run to run.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultBotUrl);
        }
    }

    public void Configure(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var environment = _environment ?? throw new InvalidOperationException("ConfigureAsync must run first.");
        SandboxConsole.Map(app, environment);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var botUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? string.Empty;
            var endpoints = new JsonObject
            {
                ["mondayApiUrl"] = environment.MondayApiUrl.ToString(),
                ["mondayToken"] = SandboxEnvironment.MondayToken,
                ["discordApiUrl"] = environment.DiscordRestUrl.ToString(),
                ["discordControlUrl"] = environment.DiscordControlUrl.ToString(),
                ["githubApiUrl"] = environment.GitHubApiUrl.ToString(),
                ["cloudWatchUrl"] = environment.CloudWatchUrl.ToString(),
                ["botUrl"] = botUrl,
                ["boardId"] = environment.BoardId,
                ["adminToken"] = environment.AdminToken,
                ["apiToken"] = environment.ApiToken,
                ["dataDirectory"] = environment.DataDirectory,
                // What `./run.sh --sandbox <verb>` layers under env and command line, so verbs use the sandbox's world.
                ["configuration"] = new JsonObject(_published.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, p.Value))),
            };
            var path = Path.Combine(environment.DataDirectory, EndpointsFileName);
            File.WriteAllText(path, endpoints.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            // A stopped sandbox must not leave verbs pointing at emulators that are gone.
            app.Lifetime.ApplicationStopping.Register(() => File.Delete(path));
            app.Logger.LogWarning(
                """

                ==================================================================================
                  SANDBOX (emulated Discord and monday; nothing here touches a real account)
                  Console: {ConsoleUrl}
                ==================================================================================
                """,
                botUrl.TrimEnd('/') + "/");
            app.Logger.LogWarning(
                "SANDBOX: emulated monday {MondayUrl} (board {BoardId}), emulated Discord {DiscordUrl}, bot {BotUrl}. Endpoints and the admin token are in {EndpointsFile}",
                environment.MondayApiUrl, environment.BoardId, environment.DiscordRestUrl, botUrl, path);
        });
    }

    private static bool IsStoreChoice(string key) =>
        key.StartsWith("Storage:", StringComparison.Ordinal) || key.StartsWith("Registry:Store", StringComparison.Ordinal) || key == "Sync:PollInterval";

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
