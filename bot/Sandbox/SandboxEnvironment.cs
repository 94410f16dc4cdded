using System.Security.Cryptography;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Emulators.CloudWatch;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Github;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Hosting;
using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// `bot --sandbox`: the whole bot against in-process emulators of monday and Discord on 127.0.0.1, with a freshly
/// provisioned ledger board and generated credentials, so a person can try every surface with no tokens and no
/// internet. The emulators' addresses override whatever the configuration said; nothing here runs in production wiring.
/// </summary>
public sealed class SandboxEnvironment : IAsyncDisposable
{
    public const string MondayToken = "sandbox-monday-token";
    internal const string DiscordToken = "sandbox-discord-token";

    /// <summary>The sandbox's repository (GitHub emulator) and region (CloudWatch emulator), the #general channel's scope.</summary>
    public const string SandboxRepository = "ledger-hq/discord-ledger-bot";
    public const string SandboxRegion = "eu-west-1";

    private readonly MondayEmulator _monday;
    private readonly DiscordEmulator _discord;
    private readonly GitHubEmulator _github;
    private readonly CloudWatchEmulator _cloudWatch;

    private SandboxEnvironment(MondayEmulator monday, DiscordEmulator discord, GitHubEmulator github, CloudWatchEmulator cloudWatch, string boardId, string adminToken, string dataDirectory)
    {
        ApiToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        _monday = monday;
        _discord = discord;
        _github = github;
        _cloudWatch = cloudWatch;
        BoardId = boardId;
        AdminToken = adminToken;
        DataDirectory = dataDirectory;
    }

    public string BoardId { get; }

    public string AdminToken { get; }

    /// <summary>A bearer token holding every API scope, so a person can try /api/v1, /mcp and /metrics against the sandbox.</summary>
    public string ApiToken { get; }

    public string DataDirectory { get; }

    public Uri MondayApiUrl => _monday.ApiUrl;

    /// <summary>The emulated monday, for tests that compare the board with what the bot did.</summary>
    internal MondayEmulator Monday => _monday;

    /// <summary>The emulated Discord, for tests that drive it.</summary>
    internal DiscordEmulator Discord => _discord;

    /// <summary>The emulated GitHub, seeded with <see cref="SandboxRepository"/>.</summary>
    internal GitHubEmulator GitHub => _github;

    /// <summary>The emulated CloudWatch, with a latency spike over the last minutes.</summary>
    internal CloudWatchEmulator CloudWatch => _cloudWatch;

    public Uri GitHubApiUrl => _github.ApiUrl;

    public Uri CloudWatchUrl => _cloudWatch.Url;

    public Uri DiscordRestUrl => _discord.RestBaseUrl;

    public Uri DiscordControlUrl => new(_discord.RestBaseUrl, "/");

    public string DiscordApplicationId => _discord.Options.ApplicationId;

    /// <summary>The emulated guild (Ledger HQ) with its channels and members, for the console's pickers.</summary>
    internal EmulatedGuild Guild => _discord.Guilds[0];

    public static async Task<SandboxEnvironment> StartAsync(string dataDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var monday = await MondayEmulator.StartAsync(
            new MondayEmulatorOptions
            {
                Port = 0,
                RequiredToken = MondayToken,
                StateFile = Path.Combine(dataDirectory, "monday-emulator.json"),
                TimeProvider = time,
            },
            cancellationToken);
        try
        {
            // A guild with channels, roles, members and overwrites, so every surface has somewhere real to act.
            var discordOptions = new DiscordEmulatorOptions { Port = 0, BotToken = DiscordToken, TimeProvider = time };
            discordOptions.Guilds.Add(EmulatedGuild.Realistic(discordOptions.BotUserId, discordOptions.BotUserName));
            var discord = await DiscordEmulator.StartAsync(discordOptions, cancellationToken);
            var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { TimeProvider = time, Token = GitHubToken }, cancellationToken);
            github.SeedSandbox(time.GetUtcNow());
            var cloudWatch = await CloudWatchEmulator.StartAsync(new CloudWatchEmulatorOptions { TimeProvider = time }, cancellationToken);
            // A latency spike around start, so a snapshot with a threshold shows an incident.
            cloudWatch.AddSpike("TargetResponseTime", time.GetUtcNow().AddMinutes(-15), time.GetUtcNow().AddMinutes(30), 0.85);
            var boardId = await EnsureBoardAsync(monday.ApiUrl, dataDirectory, time, cancellationToken);
            var adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            return new SandboxEnvironment(monday, discord, github, cloudWatch, boardId, adminToken, dataDirectory);
        }
        catch
        {
            await monday.DisposeAsync();
            throw;
        }
    }

    /// <summary>Settings that point every client at the emulators; added last, so they win over files and env vars.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ConfigurationOverrides() =>
    [
        new("Sandbox:Enabled", "true"),
        new("Monday:ApiUrl", _monday.ApiUrl.ToString()),
        new("Monday:Token", MondayToken),
        new("Monday:BoardId", BoardId),
        new("Discord:ApiBaseUrl", _discord.RestBaseUrl.ToString()),
        new("Discord:Token", DiscordToken),
        new("Discord:ApplicationId", _discord.Options.ApplicationId),
        new("Discord:GuildId", _discord.Guilds[0].Id),

        // The emulator runs a voice server: /voice join works in the sandbox, and its members can "speak" (POST /__emulator/voice/{channel}/play).
        new("Voice:Enabled", "true"),
        new("Voice:EndpointScheme", "ws"),
        new("Storage:Backend", "file"),
        new("Storage:DataDirectory", DataDirectory),
        new("Registry:Store", "file"),
        new("Registry:StorePath", Path.Combine(DataDirectory, "registry.json")),
        new("Registry:AdminApiEnabled", "true"),
        new("Registry:AdminToken", AdminToken),
        // An edit on the emulated board reaches its card within seconds, not production's minute.
        new("Sync:PollInterval", "00:00:05"),
        // A high index leaves Api:Tokens:0.. to the operator's own tokens from env or the command line.
        new($"Api:Tokens:{SandboxTokenIndex}:Name", "sandbox"),
        new($"Api:Tokens:{SandboxTokenIndex}:Token", ApiToken),
        new($"Api:Tokens:{SandboxTokenIndex}:Scopes", "ledger:read ledger:write registry:read registry:admin metrics:read github:read aws:read"),
        new("GitHub:ApiUrl", _github.ApiUrl.ToString()),
        new("GitHub:Token", GitHubToken),
        new("Aws:Region", SandboxRegion),
        new("Aws:MonitoringUrl", _cloudWatch.Url.ToString()),
        new("Aws:AccessKeyId", _cloudWatch.Options.AccessKeyId),
        new("Aws:SecretAccessKey", _cloudWatch.Options.SecretAccessKey),
        new($"Scoping:Channels:{EmulatedGuild.Ids.General}:Repository", SandboxRepository),
        new($"Scoping:Channels:{EmulatedGuild.Ids.General}:AwsRegion", SandboxRegion),
    ];

    internal const string GitHubToken = "sandbox-github-token";

    private const int SandboxTokenIndex = 99;

    public async ValueTask DisposeAsync()
    {
        await _cloudWatch.DisposeAsync();
        await _github.DisposeAsync();
        await _discord.DisposeAsync();
        await _monday.DisposeAsync();
    }

    // The emulator keeps its state in the data directory, so a second sandbox run reuses the board it provisioned.
    private static async Task<string> EnsureBoardAsync(Uri apiUrl, string dataDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var boardFile = Path.Combine(dataDirectory, "board-id");
        // Provisioned through the product's own composition (CLI role), as `./run.sh provision` would.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monday:ApiUrl"] = apiUrl.ToString(),
            ["Monday:Token"] = MondayToken,
            ["Storage:Backend"] = "memory",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time);
        services.AddLogging();
        services.AddLedgerBot(configuration, LedgerBotRole.Cli);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<MondayClient>();
        var provisioner = new LedgerBoardProvisioner(client);
        if (File.Exists(boardFile))
        {
            var existing = (await File.ReadAllTextAsync(boardFile, cancellationToken)).Trim();
            if ((await provisioner.ValidateAsync(existing, cancellationToken)).Matches)
            {
                return existing;
            }
        }

        var created = await provisioner.CreateAsync("Ledger (sandbox)", Guid.NewGuid().ToString("N"), cancellationToken);
        await File.WriteAllTextAsync(boardFile, created.BoardId, cancellationToken);
        return created.BoardId;
    }
}
