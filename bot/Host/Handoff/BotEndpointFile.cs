using System.Text.Json;

namespace DiscordLedgerBot.Handoff;

/// <summary>
/// What a running bot publishes in its data directory (<c>bot-endpoint.json</c>, owner-only) so that an operator
/// command on the same data directory can hand its commands to the bot instead of failing on the held store.
/// The token is fresh per bot run: whoever can read the data directory could write the outbox directly anyway.
/// </summary>
public sealed record BotEndpointFile(Uri Url, string Token, int ProcessId, DateTimeOffset StartedAt)
{
    public const string FileName = "bot-endpoint.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    public static BotEndpointFile? TryRead(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<BotEndpointFile>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void WriteTo(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, this, Json);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static void DeleteFrom(string dataDirectory, string token)
    {
        // Only our own file: a second bot that failed to start must not remove the running one's endpoint.
        if (TryRead(dataDirectory) is { } current && current.Token == token)
        {
            File.Delete(PathIn(dataDirectory));
        }
    }
}
