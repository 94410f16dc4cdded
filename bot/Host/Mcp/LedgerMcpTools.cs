using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Api;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Discord.Rest;

namespace DiscordLedgerBot.Mcp;

/// <summary>What a tool is: its wire name, schema, hints, the scopes a caller needs, its handler and its compact fields.</summary>
public sealed record McpToolSpec(
    string Name,
    string Description,
    JsonObject InputProperties,
    IReadOnlyList<string> Required,
    bool ReadOnly,
    bool Destructive,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> CompactFields,
    Func<McpToolCall, Task<JsonObject>> Handler);

/// <summary>
/// The MCP tools. Reads query monday through <see cref="ILedger"/> or the registry; every ledger write is a command
/// recorded through <see cref="LedgerCommandSubmitter"/> (the outbox) under <c>mcp:&lt;session&gt;:&lt;request id&gt;</c>;
/// <c>discord.message</c> posts through our Discord client with that key as the message nonce (Discord dedupes it).
/// </summary>
public static class LedgerMcpTools
{
    private static readonly string[] CommandFields = ["commandId", "operation", "key", "state", "mondayItemId", "error"];
    private static readonly string[] ItemFields = ["key", "title", "status", "owner", "dueDate"];

    public static IReadOnlyList<McpToolSpec> All { get; } =
    [
        new(
            "monday.board_summary",
            "Counts the ledger board's active entries by status and group, with how many are overdue or escalated.",
            new JsonObject(),
            [],
            ReadOnly: true,
            Destructive: false,
            [ApiScopes.LedgerRead],
            ["total", "byStatus", "overdue", "escalated"],
            BoardSummaryAsync),
        new(
            "monday.update_item",
            "Changes an entry's title, owner, due date and/or status (status moves must be legal: requested→in_progress, in_progress⇄blocked, in_progress/blocked→done, done→requested).",
            Properties(Key(), ("title", Text(255)), ("owner", Text(255)), ("dueDate", Date()), ("status", Status()), Wait(), Fields()),
            ["key"],
            ReadOnly: false,
            Destructive: true,
            [ApiScopes.LedgerWrite],
            CommandFields,
            UpdateItemAsync),
        new(
            "monday.create_update",
            "Adds an update (a comment) to an entry on the board.",
            Properties(Key(), ("body", Text(20_000)), Wait(), Fields()),
            ["key", "body"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.LedgerWrite],
            CommandFields,
            call => SubmitForEntryAsync(call, entry => new CommentOnLedgerEntry(call.IdempotencyKey, entry.Key, call.RequiredText("body")) { MondayItemId = entry.MondayItemId })),
        new(
            "discord.message",
            "Posts a plain-text message to a Discord channel as the bot (mentions are not pinged).",
            Properties(("channelId", new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{15,20}$", ["description"] = "Channel snowflake" }), ("content", Text(2000)), Fields()),
            ["channelId", "content"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.LedgerWrite],
            ["messageId", "channelId"],
            DiscordMessageAsync),
        new(
            "ledger.create",
            "Creates a ledger entry. Its ledger key is the MCP request's idempotency key, returned as 'key'.",
            Properties(("title", Text(255)), ("owner", Text(255)), ("dueDate", Date()), ("discordChannelId", new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{15,20}$" }), Wait(), Fields()),
            ["title"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.LedgerWrite],
            CommandFields,
            CreateAsync),
        new(
            "ledger.set_status",
            "Moves an entry to a status (legal moves only) and to that status's group.",
            Properties(Key(), ("status", Status()), Wait(), Fields()),
            ["key", "status"],
            ReadOnly: false,
            Destructive: true,
            [ApiScopes.LedgerWrite],
            CommandFields,
            SetStatusAsync),
        new(
            "ledger.assign",
            "Sets an entry's owner (free text, e.g. a Discord mention); an empty owner clears it.",
            Properties(Key(), ("owner", new JsonObject { ["type"] = "string", ["maxLength"] = 255 }), Wait(), Fields()),
            ["key", "owner"],
            ReadOnly: false,
            Destructive: true,
            [ApiScopes.LedgerWrite],
            CommandFields,
            call => SubmitForEntryAsync(call, entry => call.RequiredText("owner").Length == 0
                ? new UpdateLedgerDetails(call.IdempotencyKey, entry.Key) { MondayItemId = entry.MondayItemId, ClearOwner = true }
                : new UpdateLedgerDetails(call.IdempotencyKey, entry.Key) { MondayItemId = entry.MondayItemId, Owner = call.RequiredText("owner") })),
        new(
            "ledger.followup",
            "Adds a follow-up to an entry (a subitem on the board).",
            Properties(Key(), ("title", Text(255)), Wait(), Fields()),
            ["key", "title"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.LedgerWrite],
            CommandFields,
            call => SubmitForEntryAsync(call, entry => new AddLedgerFollowUp(call.IdempotencyKey, entry.Key, call.RequiredText("title")) { MondayItemId = entry.MondayItemId })),
        new(
            "ledger.query",
            "Lists active ledger entries matching every given filter (status, owner, due before a date).",
            Properties(("status", Status()), ("owner", Text(255)), ("dueBefore", Date()), ("limit", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 500 }), Fields()),
            [],
            ReadOnly: true,
            Destructive: false,
            [ApiScopes.LedgerRead],
            ItemFields,
            QueryAsync),
        new(
            "registry.rank",
            "Ranks the registered tools that serve a workflow, best first, each with the reason for its place.",
            Properties(("workflow", Text(100)), ("affordances", new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } }), Fields()),
            ["workflow"],
            ReadOnly: true,
            Destructive: false,
            [ApiScopes.RegistryRead],
            ["workflow", "tools"],
            RankAsync),
        new(
            "registry.select",
            "Picks the best tool for a workflow action and records the rationale as an update on the given ledger entry.",
            Properties(("workflow", Text(100)), ("ledgerKey", new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Za-z0-9:._-]{1,100}$" }), ("affordances", new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } }), Fields()),
            ["workflow", "ledgerKey"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.RegistryRead, ApiScopes.LedgerWrite],
            ["chosenToolId", "rationale", "commandId"],
            SelectAsync),
        .. ReadoutMcpTools.All,
    ];

    public static IReadOnlySet<string> Names { get; } = All.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The JSON Schema of a tool's arguments: closed (additionalProperties false) so a misspelt argument is an error.</summary>
    public static JsonObject InputSchema(McpToolSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = spec.InputProperties.DeepClone(),
            ["required"] = new JsonArray([.. spec.Required.Select(r => JsonValue.Create(r))]),
            ["additionalProperties"] = false,
        };
    }

    private static async Task<JsonObject> BoardSummaryAsync(McpToolCall call)
    {
        var entries = await call.Get<ILedger>().QueryAsync(new LedgerQuery { Limit = LedgerApiEndpoints.MaxReadableEntries }, call.CancellationToken);
        var today = DateOnly.FromDateTime(call.Get<TimeProvider>().GetUtcNow().UtcDateTime);
        return new JsonObject
        {
            ["total"] = entries.Count,
            ["byStatus"] = new JsonObject(entries.GroupBy(e => e.Status?.ToWireName() ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => KeyValuePair.Create<string, JsonNode?>(g.Key, g.Count()))),
            ["byGroup"] = new JsonObject(entries.GroupBy(e => e.GroupTitle ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => KeyValuePair.Create<string, JsonNode?>(g.Key, g.Count()))),
            ["overdue"] = entries.Count(e => e.DueDate < today && e.Status != LedgerStatus.Done),
            ["escalated"] = entries.Count(e => e.EscalationLevel > 0),
        };
    }

    private static async Task<JsonObject> UpdateItemAsync(McpToolCall call)
    {
        var to = call.Status("status");
        var wantsDetails = call.Text("title") is not null || call.Text("owner") is not null || call.Text("dueDate") is not null;
        if (!wantsDetails && to is null)
        {
            throw new McpToolArgumentException("status", "Nothing to update: give title, owner, dueDate or status.");
        }

        var entry = await FindAsync(call);
        var commands = new List<LedgerCommand>();
        if (wantsDetails)
        {
            commands.Add(new UpdateLedgerDetails($"{call.IdempotencyKey}.details", entry.Key)
            {
                MondayItemId = entry.MondayItemId,
                Title = call.Text("title"),
                Owner = call.Text("owner"),
                DueDate = call.Date("dueDate"),
            });
        }

        if (to is { } target)
        {
            commands.Add(StatusChange($"{call.IdempotencyKey}.status", entry, target));
        }

        return await SubmitAsync(call, commands);
    }

    private static async Task<JsonObject> SetStatusAsync(McpToolCall call)
    {
        var target = call.Status("status")!.Value;
        var entry = await FindAsync(call);
        return await SubmitAsync(call, [StatusChange(call.IdempotencyKey, entry, target)]);
    }

    private static LedgerCommand StatusChange(string idempotencyKey, LedgerEntry entry, LedgerStatus target) =>
        entry.Status is { } from
            ? new ChangeLedgerStatus(idempotencyKey, entry.Key, from, target) { MondayItemId = entry.MondayItemId }
            : throw new McpToolArgumentException("key", $"Entry '{entry.Key}' carries a status label the ledger does not know; fix it on the board first.");

    private static Task<JsonObject> CreateAsync(McpToolCall call)
    {
        var key = LedgerKey.Parse(call.IdempotencyKey);
        var command = new CreateLedgerEntry(call.IdempotencyKey, key, call.RequiredText("title"), LedgerSource.Mcp)
        {
            Owner = call.Text("owner"),
            DueDate = call.Date("dueDate"),
            DiscordChannelId = call.Text("discordChannelId"),
        };
        return SubmitAsync(call, [command]);
    }

    private static async Task<JsonObject> SubmitForEntryAsync(McpToolCall call, Func<LedgerEntry, LedgerCommand> build) =>
        await SubmitAsync(call, [build(await FindAsync(call))]);

    private static async Task<JsonObject> SubmitAsync(McpToolCall call, IReadOnlyList<LedgerCommand> commands)
    {
        var views = await call.Get<LedgerCommandSubmitter>().SubmitAsync(commands, call.Wait, call.CancellationToken);
        var first = (JsonObject)JsonSerializer.SerializeToNode(views[0], ApiJson.Options)!;
        if (views.Count > 1)
        {
            first["commands"] = JsonSerializer.SerializeToNode(views, ApiJson.Options);
        }

        return first;
    }

    private static async Task<LedgerEntry> FindAsync(McpToolCall call) =>
        await call.Get<ILedger>().FindByKeyAsync(call.Key("key"), call.CancellationToken)
            ?? throw new McpToolArgumentException("key", $"No active entry carries ledger key '{call.Text("key")}'.");

    private static async Task<JsonObject> QueryAsync(McpToolCall call)
    {
        var entries = await call.Get<ILedger>().QueryAsync(
            new LedgerQuery { Status = call.Status("status"), Owner = call.Text("owner"), DueBefore = call.Date("dueBefore"), Limit = call.Integer("limit") ?? 50 },
            call.CancellationToken);
        return new JsonObject
        {
            ["count"] = entries.Count,
            ["items"] = JsonSerializer.SerializeToNode(entries.Select(ItemView.From).ToList(), ApiJson.Options),
        };
    }

    private static async Task<JsonObject> DiscordMessageAsync(McpToolCall call)
    {
        var channelId = call.RequiredText("channelId");
        // The nonce makes a repeated request (same MCP request id) post once: Discord returns the first message.
        var nonce = call.IdempotencyKey.Length <= 25 ? call.IdempotencyKey : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(call.IdempotencyKey)))[..25];
        var body = new JsonObject
        {
            ["content"] = call.RequiredText("content"),
            ["nonce"] = nonce,
            ["enforce_nonce"] = true,
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        };
        var request = new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", new Dictionary<string, string> { ["channel_id"] = channelId }, body) { RetrySafe = true };
        var message = await call.Get<IDiscordRest>().SendAsync(request, call.CancellationToken);
        return new JsonObject
        {
            ["messageId"] = message?.GetProperty("id").GetString(),
            ["channelId"] = channelId,
            ["content"] = message?.GetProperty("content").GetString(),
        };
    }

    private static Task<JsonObject> RankAsync(McpToolCall call)
    {
        try
        {
            var ranking = call.Get<CapabilityRegistry>().Rank(call.RequiredText("workflow"), call.Strings("affordances"));
            return Task.FromResult((JsonObject)JsonSerializer.SerializeToNode(RankingView.From(ranking), ApiJson.Options)!);
        }
        catch (RegistryValidationException invalid)
        {
            throw new McpToolArgumentException("workflow", invalid.Message);
        }
    }

    private static async Task<JsonObject> SelectAsync(McpToolCall call)
    {
        if (call.Get<LedgerCommandSubmitter>().IsReadOnly)
        {
            throw new LedgerReadOnlyException();
        }

        try
        {
            var selection = await call.Get<CapabilityRegistry>().SelectAsync(call.RequiredText("workflow"), call.Key("ledgerKey").Value, call.IdempotencyKey, call.Strings("affordances"), call.CancellationToken);
            return (JsonObject)JsonSerializer.SerializeToNode(SelectionView.From(selection), ApiJson.Options)!;
        }
        catch (RegistryValidationException invalid)
        {
            throw new McpToolArgumentException("workflow", invalid.Message);
        }
    }

    private static JsonObject Properties(params (string Name, JsonObject Schema)[] properties) =>
        new(properties.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Name, p.Schema)));

    private static (string, JsonObject) Key() => ("key", new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Za-z0-9:._-]{1,100}$", ["description"] = "The entry's ledger key" });

    private static JsonObject Text(int maxLength) => new() { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = maxLength };

    private static JsonObject Date() => new() { ["type"] = "string", ["pattern"] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", ["description"] = "YYYY-MM-DD" };

    private static JsonObject Status() => new() { ["type"] = "string", ["enum"] = new JsonArray("requested", "in_progress", "blocked", "done") };

    private static (string, JsonObject) Wait() =>
        ("waitSeconds", new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 30, ["description"] = "Wait up to this long for monday's confirmation (default 0: answer once recorded)" });

    private static (string, JsonObject) Fields() =>
        ("fields", new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" }, ["description"] = "Result fields to return (default: a compact set); [\"*\"] returns all" });
}
