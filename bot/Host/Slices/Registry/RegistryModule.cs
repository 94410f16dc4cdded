using System.Globalization;
using System.Text;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Ledger.Commands;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Registry;

/// <summary>
/// /registry and the override buttons on tool cards. Reads come straight from the in-process registry; overrides go
/// through <see cref="CapabilityRegistry.SetOverrideAsync"/>, which audits them and records them on the ledger. The
/// moderator check runs on every command and click from the interaction's own member data.
/// </summary>
public sealed partial class RegistryModule(
    CapabilityRegistry registry,
    SurfaceAuthority authority,
    ButtonPressAudit audit,
    CardStore cards,
    IDiscordRest rest,
    IOptions<RegistryOptions> registryOptions,
    ILogger<RegistryModule> logger)
{
    public const string ButtonPrefix = "registry:";

    /// <summary>The card's key in the <see cref="CardStore"/> (beside the ledger items' cards).</summary>
    public static string CardKey(string toolId) => "registry:" + toolId;

    private static readonly string[] ButtonActions = ["disable", "enable", "prefer", "clear"];

    public static ApplicationCommand Declaration() => ApplicationCommandBuilder.ChatInput("registry", "The capability registry: tools, health, ranking")
        .InContexts(InteractionContextType.Guild)
        .AddSubcommand("list", "Every tool with its health")
        .AddSubcommand("show", "A tool's card, with override buttons for moderators", o => o
            .AddString("tool", "The tool", required: true, autocomplete: true))
        .AddSubcommand("rank", "The tools for a workflow, in order, with reasons", o => o
            .AddString("workflow", "The workflow", required: true, autocomplete: true))
        .AddSubcommand("health", "Tools that are not passing")
        .AddSubcommand("override", "Disable, enable or prefer a tool (moderators)", o => o
            .AddString("tool", "The tool", required: true, autocomplete: true)
            .AddString("action", "What to do", required: true, choices: [new("disable", "disable"), new("enable", "enable"), new("prefer", "prefer")])
            .AddString("reason", "Why (kept in the audit log)", required: true, maxLength: 300)
            .AddString("workflow", "Only for this workflow (default: all)", autocomplete: true))
        .AddSubcommand("clear", "Remove a tool's override (moderators)", o => o
            .AddString("tool", "The tool", required: true, autocomplete: true)
            .AddString("reason", "Why (kept in the audit log)", required: true, maxLength: 300)
            .AddString("workflow", "The workflow the override was for (default: all)", autocomplete: true))
        .Build();

    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var options = new InteractionRouteOptions(DeferEphemeral: true);
        router.MapCommand("registry list", (c, _) => Task.FromResult(List()), options)
            .MapCommand("registry show", ShowAsync, options)
            .MapCommand("registry rank", (c, _) => Task.FromResult(Rank(c)), options)
            .MapCommand("registry health", (c, _) => Task.FromResult(Health()), options)
            .MapCommand("registry override", OverrideAsync, options)
            .MapCommand("registry clear", ClearAsync, options)
            .MapAutocomplete("registry", (c, _) => Task.FromResult(Autocomplete(c)))
            .MapComponent(ButtonPrefix, ButtonAsync);
    }

    private InteractionResponse List()
    {
        var text = new StringBuilder();
        foreach (var tool in registry.ListTools())
        {
            text.Append(CultureInfo.InvariantCulture, $"{ToolCard.Icon(tool.Health.Status)} **{tool.Definition.Id}** · {tool.Definition.Lifecycle.ToString().ToLowerInvariant()} · {tool.Health.Status.ToString().ToLowerInvariant()}")
                .Append(tool.Overrides.Count > 0 ? " · " + string.Join("; ", tool.Overrides.Select(o => o.Describe())) : string.Empty)
                .AppendLine();
        }

        return Embed("Capability registry", text.Length == 0 ? "No tools registered." : text.ToString());
    }

    private async Task<InteractionResponse> ShowAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var tool = FindTool(interaction.Command!.GetString("tool"));
        var channel = Snowflake.ToWire(interaction.ChannelId ?? throw new InteractionInputException("Run /registry show in a channel."));

        // Posted as the bot's own channel message (not the interaction reply) so it can be edited on every health change.
        var posted = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = channel }, ToolCard.Message(tool)), cancellationToken);
        var messageId = posted is { ValueKind: System.Text.Json.JsonValueKind.Object } body && body.TryGetProperty("id", out var id) ? id.GetString()! : throw new InvalidOperationException("Discord answered a create without an id.");
        await cards.SaveAsync(CardKey(tool.Definition.Id), null, new ItemCardLocation(channel, messageId, null, "shown"), cancellationToken);
        return InteractionResponse.Text($"Posted the card of {tool.Definition.Id}; it follows the tool's health. Moderators can use its buttons.", ephemeral: true);
    }

    private InteractionResponse Rank(InteractionContext context)
    {
        var workflow = context.Interaction.Command!.GetString("workflow") ?? string.Empty;
        if (!registry.Workflows.Contains(workflow, StringComparer.Ordinal))
        {
            throw new InteractionInputException($"'{workflow}' is not a workflow. Known: {string.Join(", ", registry.Workflows)}.");
        }

        var ranking = registry.Rank(workflow);
        return Embed($"Ranking for {workflow}", ranking.Tools.Count == 0 ? "No tool serves this workflow." : ranking.Describe());
    }

    private InteractionResponse Health()
    {
        var unwell = registry.ListTools().Where(t => t.Health.Status != HealthStatus.Passing || t.Health.Stale || t.Circuit != CircuitState.Closed).ToList();
        var text = string.Join('\n', unwell.Select(t => $"{ToolCard.Icon(t.Health.Status)} **{t.Definition.Id}** {t.Health.Status.ToString().ToLowerInvariant()}{(t.Health.Stale ? " (stale)" : string.Empty)}, circuit {t.Circuit.ToString().ToLowerInvariant()}: {t.Health.LastDetail}"));
        return Embed("Registry health", unwell.Count == 0 ? "Every tool is passing." : text);
    }

    private async Task<InteractionResponse> OverrideAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        authority.Require(interaction, SurfaceRight.Override);
        var options = interaction.Command!;
        var tool = FindTool(options.GetString("tool"));
        var action = ParseAction(options.GetString("action"));
        var reason = SurfaceText.Clean(options.GetString("reason"), "Reason", 300);
        var applied = await SetAsync(interaction, tool.Definition.Id, options.GetString("workflow"), action, reason, cancellationToken);
        return InteractionResponse.Text($"Override set: {tool.Definition.Id} {applied.Describe()}. It is in the registry's audit log and on the ledger.", ephemeral: true);
    }

    private async Task<InteractionResponse> ClearAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        authority.Require(interaction, SurfaceRight.Override);
        var options = interaction.Command!;
        var tool = FindTool(options.GetString("tool"));
        var reason = SurfaceText.Clean(options.GetString("reason"), "Reason", 300);
        var removed = await ClearOverrideAsync(interaction, tool.Definition.Id, options.GetString("workflow"), reason, cancellationToken);
        return InteractionResponse.Text(removed is null ? $"{tool.Definition.Id} had no override there; nothing changed." : $"Cleared: {removed.Describe()}.", ephemeral: true);
    }

    private async Task<InteractionResponse> ButtonAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var customId = interaction.Component!.CustomId;
        var parts = customId[ButtonPrefix.Length..].Split(':', 2);
        var actor = ActorOf(interaction);
        if (parts.Length != 2 || !ButtonActions.Contains(parts[0], StringComparer.Ordinal))
        {
            LogForgedButton(logger, customId, actor);
            throw new InteractionInputException("This button was not made by the ledger bot (or is from an old version). Nothing was changed.");
        }

        if (registry.FindTool(parts[1]) is null)
        {
            LogForgedButton(logger, customId, actor);
            throw new InteractionInputException($"The tool '{parts[1]}' is no longer in the registry, so this card is stale. Nothing was changed; run /registry list.");
        }

        // Every press of a genuine button is on the ledger's registry audit item, refused or accepted.
        var auditKey = registryOptions.Value.AuditLedgerKey;
        var button = $"'{parts[0]}' on the registry card of {parts[1]}";
        if (!authority.Holds(interaction, SurfaceRight.Override))
        {
            await audit.RecordAsync(interaction, auditKey, button, "Refused: not a moderator. Nothing changed.", cancellationToken);
        }

        authority.Require(interaction, SurfaceRight.Override);
        const string reason = "pressed on the registry card in Discord";
        string outcome;
        try
        {
            if (parts[0] == "clear")
            {
                var removed = await ClearOverrideAsync(interaction, parts[1], null, reason, cancellationToken);
                outcome = removed is null ? "accepted; there was no override to clear, so nothing changed." : $"accepted, cleared: {removed.Describe()}.";
            }
            else
            {
                var applied = await SetAsync(interaction, parts[1], null, ParseAction(parts[0]), reason, cancellationToken);
                outcome = $"accepted, override set: {applied.Describe()}.";
            }
        }
        catch (InteractionInputException refused)
        {
            await audit.RecordAsync(interaction, auditKey, button, "Refused: " + refused.Message, cancellationToken);
            throw;
        }

        await audit.RecordAsync(interaction, auditKey, button, outcome, cancellationToken);
        return InteractionResponse.UpdateMessage(ToolCard.Message(registry.FindTool(parts[1])!));
    }

    private async Task<ToolOverride> SetAsync(Interaction interaction, string toolId, string? workflow, OverrideAction action, string reason, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.SetOverrideAsync(new OverrideRequest(toolId, string.IsNullOrWhiteSpace(workflow) ? null : workflow, action, ActorOf(interaction), reason, null), LedgerWrites.IdempotencyKeyOf(interaction), cancellationToken);
        }
        catch (RegistryValidationException invalid)
        {
            throw new InteractionInputException(invalid.Message + " Nothing was changed.");
        }
    }

    private async Task<ToolOverride?> ClearOverrideAsync(Interaction interaction, string toolId, string? workflow, string reason, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.ClearOverrideAsync(toolId, string.IsNullOrWhiteSpace(workflow) ? null : workflow, ActorOf(interaction), reason, LedgerWrites.IdempotencyKeyOf(interaction), cancellationToken);
        }
        catch (RegistryValidationException invalid)
        {
            throw new InteractionInputException(invalid.Message + " Nothing was changed.");
        }
    }

    private InteractionResponse Autocomplete(InteractionContext context)
    {
        var focused = context.Interaction.Command!.Focused;
        var typed = focused?.Value is { ValueKind: System.Text.Json.JsonValueKind.String } value ? value.GetString() ?? string.Empty : string.Empty;
        IEnumerable<AutocompleteChoice> choices = focused?.Name switch
        {
            "tool" => registry.ListTools()
                .Where(t => t.Definition.Id.Contains(typed, StringComparison.OrdinalIgnoreCase) || t.Definition.DisplayName.Contains(typed, StringComparison.OrdinalIgnoreCase))
                .Select(t => new AutocompleteChoice($"{t.Definition.Id} · {t.Health.Status.ToString().ToLowerInvariant()}", t.Definition.Id)),
            "workflow" => registry.Workflows.Where(w => w.Contains(typed, StringComparison.OrdinalIgnoreCase)).Select(w => new AutocompleteChoice(w, w)),
            _ => [],
        };
        return InteractionResponse.Autocomplete(choices);
    }

    private ToolStatus FindTool(string? toolId) =>
        registry.FindTool(toolId ?? string.Empty)
            ?? throw new InteractionInputException($"No tool '{toolId}' in the registry. Pick one from the list (or /registry list).");

    private static OverrideAction ParseAction(string? action) => action switch
    {
        "disable" => OverrideAction.Disable,
        "enable" => OverrideAction.Enable,
        "prefer" => OverrideAction.ForcePrefer,
        _ => throw new InteractionInputException($"'{action}' is not an override: use disable, enable or prefer."),
    };

    private static InteractionResponse Embed(string title, string description) =>
        InteractionResponse.Message(new MessageBuilder().AsEphemeral().AddEmbed(e => e.WithTitle(title).WithDescription(description)).Build());

    private static string ActorOf(Interaction interaction) =>
        interaction.User is { } user ? $"{user.DisplayName} (Discord {Snowflake.ToWire(user.Id)})" : "unknown Discord user";

    [LoggerMessage(EventId = 6030, Level = LogLevel.Warning, Message = "Refused a registry button with an unknown or stale custom_id {CustomId} from {Actor}")]
    private static partial void LogForgedButton(ILogger logger, string customId, string actor);
}

/// <summary>A tool's status card with moderator override buttons; the buttons carry only the action and the tool id.</summary>
public static class ToolCard
{
    public static string Icon(HealthStatus status) => status switch
    {
        HealthStatus.Passing => "🟢",
        HealthStatus.Warning => "🟡",
        HealthStatus.Critical => "🔴",
        _ => "⚪",
    };

    public static MessagePayload Message(ToolStatus tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var health = tool.Health;
        var id = tool.Definition.Id;
        return new MessageBuilder()
            .AddEmbed(e =>
            {
                e.WithTitle($"{Icon(health.Status)} {tool.Definition.DisplayName}")
                    .WithColor(health.Status switch
                    {
                        HealthStatus.Passing => 0x2ECC71,
                        HealthStatus.Warning => 0xF1C40F,
                        HealthStatus.Critical => 0xE74C3C,
                        _ => 0x95A5A6,
                    })
                    .AddField("Health", $"{health.Status.ToString().ToLowerInvariant()}{(health.Stale ? " (stale)" : string.Empty)}: {health.LastDetail}", inline: false)
                    .AddField("Circuit", tool.Circuit.ToString().ToLowerInvariant(), inline: true)
                    .AddField("Lifecycle", tool.Definition.Lifecycle.ToString().ToLowerInvariant(), inline: true)
                    .AddField("Workflows", string.Join(", ", tool.Definition.Workflows), inline: true)
                    .AddField("Overrides", tool.Overrides.Count == 0 ? "none" : string.Join('\n', tool.Overrides.Select(o => o.Describe())))
                    .WithFooter($"tool {id} · owner {tool.Definition.Owner}");
            })
            .AddActionRow(row => row
                .AddButton($"{RegistryModule.ButtonPrefix}disable:{id}", "Disable", ButtonStyle.Danger)
                .AddButton($"{RegistryModule.ButtonPrefix}enable:{id}", "Enable", ButtonStyle.Success)
                .AddButton($"{RegistryModule.ButtonPrefix}prefer:{id}", "Prefer", ButtonStyle.Primary)
                .AddButton($"{RegistryModule.ButtonPrefix}clear:{id}", "Clear", ButtonStyle.Secondary))
            .Build();
    }
}
