using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Registry;
using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// `bot registry list|rank|override|clear|validate`: operates on the persisted registry store (the same one the
/// host uses, from Registry:Store/StorePath). A running host adopts the change at its next sweep. Overrides and
/// clears are audited on the ledger's registry audit item through the outbox, like the bot's own decisions.
/// </summary>
public sealed class RegistryCommand : ICliCommand
{
    public string Verb => "registry";

    public string Summary => "Inspect the capability registry, rank tools, set or clear operator overrides";

    public string Usage => """
        usage: bot registry list [--json]
               bot registry rank --workflow NAME [--affordances a,b]
               bot registry override --tool ID --action disable|enable|force-prefer --actor WHO --reason WHY
                                     [--workflow NAME] [--expires 2026-11-21T18:00:00Z | --for 30m|2h|1d] [WAIT]
               bot registry clear --tool ID --actor WHO --reason WHY [--workflow NAME] [WAIT]
               bot registry validate [--file tools.json] [--tool onboarding.json]
        Store and catalog come from configuration: --Registry:StorePath=..., --Registry:CatalogPath=...
        override and clear are audited on the ledger's registry audit item (Registry:AuditLedgerKey) through the outbox;
        WAIT: --wait-seconds N (default 60) waits for monday to confirm the note, --no-wait only records it.
        Exit codes: 0 ok, 1 rejected (unknown tool, invalid input or file), 2 usage error, 5 read-only mode,
        6 the registry changed under the write in another process every time (nothing saved; run it again).
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count == 0)
        {
            throw new CliUsageException("A subcommand is required: list, rank, override, clear or validate.");
        }

        var options = new RegistryOptions();
        context.Configuration.GetSection(RegistryOptions.SectionName).Bind(options);
        var rest = args.Skip(1).ToList();
        try
        {
            return args[0] switch
            {
                "list" => await ListAsync(context, CliArguments.Parse(rest, [], ["json"]), cancellationToken),
                "rank" => await RankAsync(context, CliArguments.Parse(rest, ["workflow", "affordances"]), cancellationToken),
                "override" => await OverrideAsync(context, CliArguments.Parse(rest, ["tool", "action", "actor", "reason", "workflow", "expires", "for", "wait-seconds"], ["no-wait"]), cancellationToken),
                "clear" => await ClearAsync(context, CliArguments.Parse(rest, ["tool", "actor", "reason", "workflow", "wait-seconds"], ["no-wait"]), cancellationToken),
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

    /// <summary>The registry as the bot composes it, loaded from its store; decisions it records are collected for the wait.</summary>
    private static async Task<(CliServices Services, CapabilityRegistry Registry, CollectingDecisionRecorder Audit)> OpenAsync(CliContext context, CancellationToken cancellationToken)
    {
        CollectingDecisionRecorder? audit = null;
        var services = CliServices.Open(context, collection => collection.AddSingleton<IDecisionRecorder>(sp =>
            audit = new CollectingDecisionRecorder(ActivatorUtilities.CreateInstance<OutboxDecisionRecorder>(sp))));
        try
        {
            var registry = services.Get<CapabilityRegistry>();
            _ = services.Get<IDecisionRecorder>();
            await RegistryBootstrap.InitializeAsync(registry, services.Get<IRegistryStore>(), services.Get<Microsoft.Extensions.Options.IOptions<RegistryOptions>>().Value, cancellationToken);
            return (services, registry, audit!);
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (bounded) until the audit notes this verb recorded reached the ledger, and says where they are.</summary>
    private static async Task ReportAuditAsync(CliContext context, CliServices services, CollectingDecisionRecorder audit, CliArguments parsed, CancellationToken cancellationToken)
    {
        if (audit.IdempotencyKeys.Count == 0)
        {
            return;
        }

        if (parsed.Has("no-wait"))
        {
            await context.Output.WriteLineAsync("Audit note recorded in the outbox for the ledger's registry audit item.");
            return;
        }

        if (!services.HandsOffToBot)
        {
            // Sending the note ourselves needs the board; the running bot would use its own.
            services.RequireBoard();
        }

        var seconds = parsed.Int("wait-seconds") ?? 60;
        var report = await services.Get<OutboxCompletion>().WaitAsync(audit.IdempotencyKeys, flush: !services.HandsOffToBot, TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600)), cancellationToken);
        await context.Output.WriteLineAsync(report.AllConfirmed
            ? $"Audit note added to the ledger's registry audit item (monday item {report.Records[^1]!.MondayItemId})."
            : "Audit note recorded in the outbox; it reaches the ledger's registry audit item when monday confirms.");
    }

    /// <summary>Remembers the outbox keys of the audit notes a verb records, so the verb can wait for them.</summary>
    private sealed class CollectingDecisionRecorder(IDecisionRecorder inner) : IDecisionRecorder
    {
        public List<string> IdempotencyKeys { get; } = [];

        public async Task RecordAsync(string ledgerKey, string body, string idempotencyKey, CancellationToken cancellationToken)
        {
            await inner.RecordAsync(ledgerKey, body, idempotencyKey, cancellationToken);
            IdempotencyKeys.Add(idempotencyKey);
        }
    }

    private static async Task<int> ListAsync(CliContext context, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var (services, registry, _) = await OpenAsync(context, cancellationToken);
        await using var owned = services;
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

    private static async Task<int> RankAsync(CliContext context, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var workflow = parsed.Required("workflow");
        var affordances = (parsed.Value("affordances") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (services, registry, _) = await OpenAsync(context, cancellationToken);
        await using var owned = services;
        // The CLI has no live probes: health is unknown here, so this shows the static order plus overrides.
        await context.Output.WriteLineAsync($"Ranking for {workflow} (static: the CLI runs no health checks; GET {RegistryAdminEndpoints.AdminPrefix}/rank shows live health)");
        await context.Output.WriteAsync(registry.Rank(workflow, affordances).Describe());
        return 0;
    }

    private static async Task<int> OverrideAsync(CliContext context, CliArguments parsed, CancellationToken cancellationToken)
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
        var (services, registry, audit) = await OpenAsync(context, cancellationToken);
        await using var owned = services;
        services.EnsureWritable();
        var applied = await registry.SetOverrideAsync(
            new OverrideRequest(parsed.Required("tool"), parsed.Value("workflow"), action, parsed.Required("actor"), parsed.Required("reason"), expiresAt),
            $"cli-override-{Guid.NewGuid():N}",
            cancellationToken);
        await context.Output.WriteLineAsync($"Override set: {applied.ToolId} {applied.Describe()} (registry revision {registry.Revision}).");
        await ReportAuditAsync(context, services, audit, parsed, cancellationToken);
        return 0;
    }

    private static async Task<int> ClearAsync(CliContext context, CliArguments parsed, CancellationToken cancellationToken)
    {
        RequireNoPositionals(parsed);
        var (services, registry, audit) = await OpenAsync(context, cancellationToken);
        await using var owned = services;
        services.EnsureWritable();
        var tool = parsed.Required("tool");
        var workflow = parsed.Value("workflow");
        var removed = await registry.ClearOverrideAsync(tool, workflow, parsed.Required("actor"), parsed.Required("reason"), $"cli-clear-{Guid.NewGuid():N}", cancellationToken);
        if (removed is null)
        {
            await context.Error.WriteLineAsync($"error: tool '{tool}' has no override for {workflow ?? "all workflows"}.");
            return 1;
        }

        await context.Output.WriteLineAsync($"Override cleared: {tool} for {removed.Scope} (registry revision {registry.Revision}).");
        await ReportAuditAsync(context, services, audit, parsed, cancellationToken);
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
}
