using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// `bot registry list|rank|override|clear|validate`: operates on the persisted registry store (the same one the
/// host uses, from Registry:Store/StorePath). A running host adopts the change at its next sweep.
/// </summary>
public sealed class RegistryCommand : ICliCommand
{
    public string Verb => "registry";

    public string Summary => "Inspect the capability registry, rank tools, set or clear operator overrides";

    public string Usage => """
        usage: bot registry list [--json]
               bot registry rank --workflow NAME [--affordances a,b]
               bot registry override --tool ID --action disable|enable|force-prefer --actor WHO --reason WHY
                                     [--workflow NAME] [--expires 2026-11-21T18:00:00Z | --for 30m|2h|1d]
               bot registry clear --tool ID --actor WHO --reason WHY [--workflow NAME]
               bot registry validate [--file tools.json] [--tool onboarding.json]
        Store and catalog come from configuration: --Registry:StorePath=..., --Registry:CatalogPath=...
        Exit codes: 0 ok, 1 rejected (unknown tool, invalid input or file), 2 usage error.
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count == 0)
        {
            throw new CliUsageException("A subcommand is required: list, rank, override, clear or validate.");
        }

        var options = new RegistryOptions();
        context.Configuration.GetSection(RegistryOptions.SectionName).Bind(options);
        // `--Section:Key=value` words are configuration (already applied to context.Configuration), not verb options.
        var rest = args.Skip(1).Where(a => !(a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))).ToList();
        await using var redis = new LazyRedisConnection(context);
        try
        {
            return args[0] switch
            {
                "list" => await ListAsync(context, options, redis, CliArguments.Parse(rest, [], ["json"]), cancellationToken),
                "rank" => await RankAsync(context, options, redis, CliArguments.Parse(rest, ["workflow", "affordances"]), cancellationToken),
                "override" => await OverrideAsync(context, options, redis, CliArguments.Parse(rest, ["tool", "action", "actor", "reason", "workflow", "expires", "for"]), cancellationToken),
                "clear" => await ClearAsync(context, options, redis, CliArguments.Parse(rest, ["tool", "actor", "reason", "workflow"]), cancellationToken),
                "validate" => await ValidateAsync(context, options, CliArguments.Parse(rest, ["file", "tool"]), cancellationToken),
                _ => throw new CliUsageException($"Unknown subcommand '{args[0]}'."),
            };
        }
        catch (RegistryValidationException ex)
        {
            await context.Error.WriteLineAsync("error: " + string.Join(Environment.NewLine + "error: ", ex.Errors));
            return 1;
        }
        catch (UnknownToolException ex)
        {
            await context.Error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
    }

    private static async Task<CapabilityRegistry> OpenAsync(CliContext context, RegistryOptions options, LazyRedisConnection redis, CancellationToken cancellationToken)
    {
        var store = RegistryBootstrap.CreateStore(options, redis.Get);
        var registry = new CapabilityRegistry(
            store,
            new ConsoleDecisionRecorder(context.Output),
            new ChannelRegistryEventSink(),
            context.Time,
            new CapabilityRegistryOptions { AuditLedgerKey = options.AuditLedgerKey, Breaker = options.Breaker },
            NullLogger<CapabilityRegistry>.Instance);
        await RegistryBootstrap.InitializeAsync(registry, store, options, cancellationToken);
        return registry;
    }

    private static async Task<int> ListAsync(CliContext context, RegistryOptions options, LazyRedisConnection redis, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var registry = await OpenAsync(context, options, redis, cancellationToken);
        var tools = registry.ListTools();
        if (parsed.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(tools.Select(t => RegistryCatalogParser.ToDocument(t.Definition)), RegistryCatalogParser.JsonOptions));
            return 0;
        }

        await context.Output.WriteLineAsync($"{"TOOL",-20} {"SURFACE",-7} {"LIFECYCLE",-12} {"PRIO",4}  WORKFLOWS / OVERRIDES   (registry revision {registry.Revision})");
        foreach (var tool in tools)
        {
            var d = tool.Definition;
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{d.Id,-20} {d.Surface.ToString().ToLowerInvariant(),-7} {d.Lifecycle.ToString().ToLowerInvariant(),-12} {d.FallbackPriority,4}  {string.Join(",", d.Workflows)}"));
            foreach (var active in tool.Overrides)
            {
                await context.Output.WriteLineAsync($"{string.Empty,-47}override: {active.Describe()}");
            }
        }

        return 0;
    }

    private static async Task<int> RankAsync(CliContext context, RegistryOptions options, LazyRedisConnection redis, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var workflow = parsed.Required("workflow");
        var affordances = (parsed.Value("affordances") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var registry = await OpenAsync(context, options, redis, cancellationToken);
        // The CLI has no live probes: health is unknown here, so this shows the static order plus overrides.
        await context.Output.WriteLineAsync($"Ranking for {workflow} (static: the CLI runs no health checks; GET {RegistryAdminEndpoints.AdminPrefix}/rank shows live health)");
        await context.Output.WriteAsync(registry.Rank(workflow, affordances).Describe());
        return 0;
    }

    private static async Task<int> OverrideAsync(CliContext context, RegistryOptions options, LazyRedisConnection redis, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var action = parsed.Required("action") switch
        {
            "disable" => OverrideAction.Disable,
            "enable" => OverrideAction.Enable,
            "force-prefer" => OverrideAction.ForcePrefer,
            var other => throw new CliUsageException($"--action must be disable, enable or force-prefer; got '{other}'."),
        };
        if (parsed.Has("expires") && parsed.Has("for"))
        {
            throw new CliUsageException("Give either --expires or --for, not both.");
        }

        var expiresAt = parsed.Value("expires") is { } raw ? ParseTimestamp(raw)
            : parsed.Value("for") is { } duration ? context.Time.GetUtcNow() + ParseDuration(duration)
            : (DateTimeOffset?)null;
        var registry = await OpenAsync(context, options, redis, cancellationToken);
        var applied = await registry.SetOverrideAsync(
            new OverrideRequest(parsed.Required("tool"), parsed.Value("workflow"), action, parsed.Required("actor"), parsed.Required("reason"), expiresAt),
            $"cli-override-{Guid.NewGuid():N}",
            cancellationToken);
        await context.Output.WriteLineAsync($"Override set: {applied.ToolId} {applied.Describe()} (registry revision {registry.Revision}).");
        return 0;
    }

    private static async Task<int> ClearAsync(CliContext context, RegistryOptions options, LazyRedisConnection redis, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var registry = await OpenAsync(context, options, redis, cancellationToken);
        var tool = parsed.Required("tool");
        var workflow = parsed.Value("workflow");
        var removed = await registry.ClearOverrideAsync(tool, workflow, parsed.Required("actor"), parsed.Required("reason"), $"cli-clear-{Guid.NewGuid():N}", cancellationToken);
        if (removed is null)
        {
            await context.Error.WriteLineAsync($"error: tool '{tool}' has no override for {workflow ?? "all workflows"}.");
            return 1;
        }

        await context.Output.WriteLineAsync($"Override cleared: {tool} for {removed.Scope} (registry revision {registry.Revision}).");
        return 0;
    }

    private static async Task<int> ValidateAsync(CliContext context, RegistryOptions options, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var file = parsed.Value("file") ?? options.ResolveCatalogPath();
        var catalog = await RegistryCatalogParser.LoadFileAsync(file, cancellationToken);
        await context.Output.WriteLineAsync($"{file}: valid ({catalog.Tools.Count} tools, {catalog.Workflows.Count} workflows).");
        if (parsed.Value("tool") is { } toolFile)
        {
            if (!File.Exists(toolFile))
            {
                throw new RegistryValidationException($"Tool file '{toolFile}' does not exist.");
            }

            await using var stream = File.OpenRead(toolFile);
            var document = await RegistryCatalogParser.DeserializeToolAsync(stream, toolFile, cancellationToken);
            var tool = RegistryCatalogParser.ValidateTool(document, catalog.Workflows);
            await context.Output.WriteLineAsync($"{toolFile}: tool '{tool.Id}' is valid against the declared workflows.");
        }

        return 0;
    }

    private static void RequireNoPositionals(CliArguments parsed)
    {
        if (parsed.Positionals.Count > 0)
        {
            throw new CliUsageException($"Unexpected argument '{parsed.Positionals[0]}'.");
        }
    }

    private static DateTimeOffset ParseTimestamp(string raw) =>
        DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new CliUsageException($"--expires '{raw}' is not an ISO-8601 timestamp (e.g. 2026-11-21T18:00:00Z).");

    private static TimeSpan ParseDuration(string raw)
    {
        if (raw.Length >= 2 && int.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            switch (raw[^1])
            {
                case 'm':
                    return TimeSpan.FromMinutes(amount);
                case 'h':
                    return TimeSpan.FromHours(amount);
                case 'd':
                    return TimeSpan.FromDays(amount);
            }
        }

        throw new CliUsageException($"--for '{raw}' must be a positive number followed by m, h or d (e.g. 30m).");
    }

    /// <summary>
    /// The CLI has no ledger connection: it prints the update the running bot's recorder would write, so the
    /// operator can see it; the persisted audit log is the durable record of CLI changes.
    /// </summary>
    private sealed class ConsoleDecisionRecorder(TextWriter output) : IDecisionRecorder
    {
        public Task RecordAsync(string ledgerKey, string body, string idempotencyKey, CancellationToken cancellationToken) =>
            output.WriteLineAsync($"ledger note for {ledgerKey} (printed, not sent from the CLI): {body}");
    }

    /// <summary>Connects to Redis (the Redis configuration section) only when the redis store is used, and closes it after the verb.</summary>
    private sealed class LazyRedisConnection(CliContext context) : IAsyncDisposable
    {
        private ConnectionMultiplexer? _connection;

        public IDatabaseAsync Get()
        {
            if (_connection is null)
            {
                var options = new RedisOptions();
                context.Configuration.GetSection(RedisOptions.SectionName).Bind(options);
                if (!options.IsConfigured)
                {
                    throw new RegistryValidationException("Registry:Store is 'redis' but Redis:ConnectionString (or Redis:Host) is not set (env Redis__ConnectionString).");
                }

                _connection = ConnectionMultiplexer.Connect(options.ToConfigurationOptions());
            }

            return _connection.GetDatabase();
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
    }
}
