using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Handoff;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Registry;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Mcp;

/// <summary>
/// <c>bot mcp</c>: the MCP server over stdio for a local client (an IDE or agent that starts it). Composed by
/// AddLedgerBot (CLI role), so writes take the one path: into the running bot's outbox when it holds the data
/// directory, else into the store, which this process then sends itself. stdout carries only the protocol.
/// </summary>
public sealed class McpCommand : ICliCommand
{
    public string Verb => "mcp";

    public string Summary => "Serve the ledger and registry tools to an MCP client over stdio";

    public string Usage => """
        usage: bot mcp [--read-only] [--include TOOL,...] [--exclude TOOL,...]
          Speaks MCP (JSON-RPC) on stdin/stdout until stdin closes; logs go to stderr.
          --read-only   expose only the tools that read (also Mcp:ReadOnly); Ledger:ReadOnly refuses writes everywhere
          --include     expose only these tools (also Mcp:IncludeTools)   --exclude  never expose these (Mcp:ExcludeTools)
          Tools: monday.board_summary, monday.update_item, monday.create_update, discord.message, ledger.create,
                 ledger.set_status, ledger.assign, ledger.followup, ledger.query, registry.rank, registry.select
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = CliArguments.Parse(args, ["include", "exclude"], ["read-only"]);
        if (options.Positionals.Count > 0)
        {
            throw new CliUsageException($"Unexpected argument '{options.Positionals[0]}'.");
        }

        var overrides = new Dictionary<string, string?>();
        if (options.Has("read-only"))
        {
            overrides["Mcp:ReadOnly"] = "true";
        }

        AddList(overrides, "Mcp:IncludeTools", options.Value("include"));
        AddList(overrides, "Mcp:ExcludeTools", options.Value("exclude"));

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(context.Configuration);
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"))
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(context.Time);
        builder.Services.AddLedgerBot(builder.Configuration, LedgerBotRole.Cli);
        builder.Services.AddHostedService<OutboxWhenStoreOwned>();
        var mcp = builder.Configuration.GetSection(McpOptions.SectionName).Get<McpOptions>() ?? new McpOptions();
        builder.Services.AddMcpServer(server => server.ServerInfo = new() { Name = "discord-ledger-bot", Version = "1" })
            .WithStdioServerTransport()
            .WithTools(McpComposition.ExposedTools(mcp));
        using var host = builder.Build();
        var failures = LedgerBotComposition.ValidateOptions(host.Services, [.. LedgerBotComposition.OptionsFor(LedgerBotRole.Cli), typeof(McpOptions)]);
        if (failures.Count > 0)
        {
            throw new CliConfigurationException(string.Join(Environment.NewLine, failures));
        }

        // Rank and select need the registry loaded; this process reads it as persisted (the bot's later changes are not followed).
        await RegistryBootstrap.InitializeAsync(
            host.Services.GetRequiredService<CapabilityRegistry>(),
            host.Services.GetRequiredService<IRegistryStore>(),
            host.Services.GetRequiredService<IOptions<RegistryOptions>>().Value,
            cancellationToken);
        await host.RunAsync(cancellationToken);
        return 0;
    }

    private static void AddList(Dictionary<string, string?> settings, string key, string? commaSeparated)
    {
        var items = (commaSeparated ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < items.Length; i++)
        {
            settings[$"{key}:{i}"] = items[i];
        }
    }

    /// <summary>Sends this process's outbox when it owns the store; when the running bot holds it, the bot sends.</summary>
    private sealed class OutboxWhenStoreOwned(IStorageBackend backend, IServiceProvider services) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            if (backend is HandoffStorage)
            {
                return;
            }

            try
            {
                await services.GetRequiredService<OutboxWorker>().RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stdin closed or Ctrl+C; claimed records are reconciled by the next owner.
            }
        }
    }
}
