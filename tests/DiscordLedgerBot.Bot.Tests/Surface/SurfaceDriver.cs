using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.OpenApi;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>
/// Drives the composed bot the way people do in Discord: slash commands, autocomplete and button presses injected
/// into the Discord emulator, which delivers them over the gateway; answers and cards are read back from the emulator.
/// </summary>
internal sealed class SurfaceDriver
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly Lazy<DiscordOpenApiValidator> Spec = new(() => DiscordOpenApiValidator.Load(SharedContracts.Contract("discord", "openapi.json")));

    private SurfaceDriver(ComposedBot bot) => Bot = bot;

    public ComposedBot Bot { get; }

    public DiscordEmulator Discord => Bot.Environment.Discord;

    public static Task<SurfaceDriver> StartAsync(params string[] settings) => StartAsync(new Dictionary<string, string?>(), settings);

    public static Task<SurfaceDriver> StartAsync(IReadOnlyDictionary<string, string?> overSandbox, params string[] settings) =>
        StartAsync(ComposedBot.StartAsync(overSandbox, settings));

    /// <param name="configure">What a test registers before the product composes (e.g. a capturing utterance sink).</param>
    public static Task<SurfaceDriver> StartAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> configure, params string[] settings) =>
        StartAsync(ComposedBot.StartAsync(configure, settings));

    private static async Task<SurfaceDriver> StartAsync(Task<ComposedBot> starting)
    {
        var driver = new SurfaceDriver(await starting);

        // One bulk overwrite registers every command (/ledger, /registry, /github, /aws and, in the sandbox, /voice).
        await Eventually(() => driver.Discord.CurrentSessionId is not null && driver.Discord.RegisteredCommands(EmulatedGuild.Ids.Guild).Count >= 2);
        return driver;
    }

    /// <summary>A /command subcommand with options (strings, booleans, integers), by <paramref name="userId"/> (default linus) in <paramref name="channelId"/>.</summary>
    public static JsonObject Slash(string command, string subcommand, IReadOnlyDictionary<string, JsonNode?> options, string? userId = null, string? channelId = null, bool autocomplete = false, string? focused = null)
    {
        var leaf = new JsonArray([.. options.Select(option => (JsonNode)new JsonObject
        {
            ["name"] = option.Key,
            ["type"] = option.Value?.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => 5,
                System.Text.Json.JsonValueKind.Number => 4,
                _ => 3,
            },
            ["value"] = option.Value?.DeepClone(),
            ["focused"] = option.Key == focused ? true : null,
        })]);
        foreach (var option in leaf.OfType<JsonObject>().Where(o => o["focused"] is null))
        {
            option.Remove("focused");
        }

        var interaction = new JsonObject
        {
            ["type"] = autocomplete ? 4 : 2,
            ["data"] = new JsonObject
            {
                ["name"] = command,
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject { ["name"] = subcommand, ["type"] = 1, ["options"] = leaf }),
            },
        };
        if (userId is not null)
        {
            interaction["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = userId } };
        }

        if (channelId is not null)
        {
            interaction["channel_id"] = channelId;
        }

        return interaction;
    }

    public Task<EmulatedInteraction> SendAsync(JsonObject interaction) => Discord.InjectInteractionAsync(interaction);

    /// <summary>Sends and returns what the user saw: the initial reply's content (or its completing edit after a deferral).</summary>
    public async Task<(EmulatedInteraction Interaction, JsonObject Reply)> AskAsync(JsonObject interaction)
    {
        var sent = await SendAsync(interaction);
        JsonObject? reply = null;
        await Eventually(() => (reply = FinalReply(sent.Id)) is not null);
        return (sent, reply!);
    }

    public async Task<string> AskTextAsync(JsonObject interaction) => (await AskAsync(interaction)).Reply["content"]?.GetValue<string>() ?? string.Empty;

    /// <summary>The reply's data as the user sees it once complete: the callback's data, or the edit that completed a deferral.</summary>
    public JsonObject? FinalReply(string interactionId)
    {
        var steps = Discord.InteractionResponsesOf(interactionId);
        if (steps is null || steps.Count == 0)
        {
            return null;
        }

        var callback = steps[0]!.AsObject();
        var type = callback["callback_type"]?.GetValue<int>();
        if (type is 5 or 6)
        {
            // The edit (or follow-up) that completed the deferral, as the message Discord stored.
            var edit = steps.Skip(1).OfType<JsonObject>().FirstOrDefault(s => s["kind"]?.GetValue<string>() is "edit" or "follow_up");
            return edit?["message"]?.AsObject() ?? (type == 6 ? new JsonObject() : null);
        }

        return callback["data"]?.AsObject() ?? new JsonObject();
    }

    /// <summary>Messages in the channel carrying an embed whose footer names <paramref name="ledgerKey"/> (the item's card).</summary>
    public IReadOnlyList<JsonObject> CardsOf(string ledgerKey, string? channelId = null) =>
        [.. Discord.MessagesIn(channelId ?? EmulatedGuild.Ids.General)
            .Select(m => m.Message)
            .Where(m => m["embeds"] is JsonArray embeds && embeds.OfType<JsonObject>().Any(e => e["footer"]?["text"]?.GetValue<string>().StartsWith(ledgerKey + " ", StringComparison.Ordinal) == true))];

    public static string Field(JsonObject card, string name) =>
        card["embeds"]![0]!["fields"]!.AsArray().OfType<JsonObject>().First(f => f["name"]!.GetValue<string>() == name)["value"]!.GetValue<string>();

    /// <summary>Every body the bot sent to the Discord emulator, checked against Discord's OpenAPI spec.</summary>
    public IReadOnlyList<string> SpecViolations() =>
        [.. Discord.RestRequests.Snapshot().SelectMany(request => Spec.Value.Validate(new HttpMethod(request.Method), request.Path, request.Body).Select(v => $"{request.Method} {request.Path}: {v}"))];

    /// <summary>The suite's one wait helper, bounded by this driver's wait.</summary>
    public static Task Eventually(Func<bool> condition) =>
        DiscordLedgerBot.Testing.Eventually.TrueAsync(condition, "the surface to reach the expected state", Wait);
}
