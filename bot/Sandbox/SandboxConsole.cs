using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// The sandbox's web console (docs/sandbox.md): three static files embedded in sandbox.dll, served at <c>/</c> of the
/// bot's own Kestrel, plus a small same-origin relay under <c>/console/api/</c> to the emulators, so the page needs no
/// CORS and never holds the emulators' credentials. The page reaches the bot itself only through its public HTTP API
/// (<c>/api/v1/events</c> with the sandbox's apiToken). Only the sandbox entry point maps this; the production host
/// has no such route and its publish output no such file.
/// </summary>
internal static class SandboxConsole
{
    public const string HttpClientName = "sandbox-console";

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["console.js"] = "text/javascript; charset=utf-8",
        ["console.css"] = "text/css; charset=utf-8",
    };

    public static void Map(WebApplication app, SandboxEnvironment environment)
    {
        app.MapGet("/", () => Asset("index.html")).ExcludeFromDescription();
        app.MapGet("/console/{file}", (string file) => Assets.ContainsKey(file) ? Asset(file) : Results.NotFound()).ExcludeFromDescription();

        var api = app.MapGroup("/console/api").ExcludeFromDescription();
        api.MapGet("/config", () => Results.Json(Config(environment)));

        // Discord: the control API (inject interactions, read what the bot answered) and the two REST reads a user's
        // client makes (the guild's commands for hints, a channel's messages), sent with the bot's token server-side.
        var control = environment.DiscordControlUrl;
        var rest = environment.DiscordRestUrl.ToString().TrimEnd('/');
        var guild = environment.Guild.Id;
        api.MapPost("/discord/interactions", (HttpContext http, IHttpClientFactory clients) =>
            RelayAsync(http, clients, HttpMethod.Post, new Uri(control, "__emulator/interactions"), null));
        api.MapGet("/discord/interactions/{id}/responses", (string id, HttpContext http, IHttpClientFactory clients) =>
            RelayAsync(http, clients, HttpMethod.Get, new Uri(control, $"__emulator/interactions/{Uri.EscapeDataString(id)}/responses"), null));
        api.MapGet("/discord/commands", (HttpContext http, IHttpClientFactory clients) =>
            RelayAsync(http, clients, HttpMethod.Get, new Uri($"{rest}/applications/{environment.DiscordApplicationId}/guilds/{guild}/commands"), BotAuthorization));
        api.MapGet("/discord/channels/{id}/messages", (string id, HttpContext http, IHttpClientFactory clients) =>
            RelayAsync(http, clients, HttpMethod.Get, new Uri($"{rest}/channels/{Uri.EscapeDataString(id)}/messages?limit=50"), BotAuthorization));

        // monday: GraphQL as a board member would use it, with the sandbox's monday token. Editing here is "editing on
        // monday": the bot learns of it only through its own sync, never through this relay.
        api.MapPost("/monday", (HttpContext http, IHttpClientFactory clients) =>
            RelayAsync(http, clients, HttpMethod.Post, environment.MondayApiUrl, new AuthenticationHeaderValue(SandboxEnvironment.MondayToken)));
    }

    private static readonly AuthenticationHeaderValue BotAuthorization = new("Bot", SandboxEnvironment.DiscordToken);

    /// <summary>What the page needs to start: who it can be, where it can talk, which board it shows.</summary>
    private static JsonObject Config(SandboxEnvironment environment)
    {
        var guild = environment.Guild;
        string RoleNames(EmulatedMember member) =>
            guild.OwnerId == member.User.Id ? "owner" : string.Join(", ", member.RoleIds.Select(id => guild.Roles.FirstOrDefault(r => r.Id == id)?.Name).OfType<string>());
        return new JsonObject
        {
            ["guild"] = guild.Name,
            ["boardId"] = environment.BoardId,
            // The page opens the bot's own event stream with it (loopback only, the same token endpoints.json holds).
            ["apiToken"] = environment.ApiToken,
            ["defaultUserId"] = EmulatedGuild.Ids.Member,
            ["users"] = new JsonArray([.. guild.Members.Where(m => !m.User.Bot).Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.User.Id,
                ["name"] = m.Nick ?? m.User.GlobalName ?? m.User.Username,
                ["username"] = m.User.Username,
                ["roles"] = RoleNames(m),
            })]),
            ["defaultChannelId"] = EmulatedGuild.Ids.General,
            ["channels"] = new JsonArray([.. guild.Channels.Where(c => c.Type == 0).OrderBy(c => c.Position).Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["name"] = c.Name,
                ["topic"] = c.Topic,
            })]),
        };
    }

    private static IResult Asset(string file)
    {
        var stream = typeof(SandboxConsole).Assembly.GetManifestResourceStream("console/" + file)
            ?? throw new InvalidOperationException($"sandbox.dll was built without its console file {file}.");
        return Results.Stream(stream, Assets[file]);
    }

    private static async Task<IResult> RelayAsync(HttpContext http, IHttpClientFactory clients, HttpMethod method, Uri target, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(method, target);
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        if (method == HttpMethod.Post)
        {
            using var body = new StreamReader(http.Request.Body);
            request.Content = new StringContent(await body.ReadToEndAsync(http.RequestAborted), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, http.RequestAborted);
        var text = await response.Content.ReadAsStringAsync(http.RequestAborted);
        return Results.Text(text, response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
    }
}
