using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>An answer from an emulated route: status and JSON body (null for 204), plus dispatches it causes.</summary>
internal sealed record Reply(int Status, JsonNode? Body)
{
    public static Reply NoContent { get; } = new(204, null);

    public static Reply Ok(JsonNode body) => new(200, body);

    public static Reply Created(JsonNode body) => new(201, body);
}

/// <summary>Discord's error bodies (<c>{code, message, errors?}</c>) with the codes and statuses Discord answers.</summary>
internal static class DiscordErrors
{
    public static Reply NotFound => Error(404, 0, "404: Not Found");

    public static Reply Unauthorized => Error(401, 0, "401: Unauthorized");

    public static Reply UnknownChannel => Error(404, 10003, "Unknown Channel");

    public static Reply UnknownGuild => Error(404, 10004, "Unknown Guild");

    public static Reply UnknownMember => Error(404, 10007, "Unknown Member");

    public static Reply UnknownMessage => Error(404, 10008, "Unknown Message");

    public static Reply UnknownUser => Error(404, 10013, "Unknown User");

    public static Reply UnknownEmoji => Error(400, 10014, "Unknown Emoji");

    public static Reply UnknownWebhook => Error(404, 10015, "Unknown Webhook");

    public static Reply UnknownInteraction => Error(404, 10062, "Unknown interaction");

    public static Reply UnknownApplicationCommand => Error(404, 10063, "Unknown application command");

    public static Reply AlreadyAcknowledged => Error(400, 40060, "Interaction has already been acknowledged.");

    public static Reply MissingAccess => Error(403, 50001, "Missing Access");

    public static Reply CannotEditOthersMessage => Error(403, 50005, "Cannot edit a message authored by another user");

    public static Reply EmptyMessage => Error(400, 50006, "Cannot send an empty message");

    public static Reply CannotMessageUser => Error(403, 50007, "Cannot send messages to this user");

    public static Reply MissingPermissions => Error(403, 50013, "Missing Permissions");

    public static Reply InvalidWebhookToken => Error(401, 50027, "Invalid Webhook Token");

    public static Reply ThreadLocked => Error(403, 50083, "Thread is locked");

    public static Reply ThreadAlreadyCreated => Error(400, 160004, "A thread has already been created for this message");

    public static Reply Error(int status, int code, string message, JsonObject? errors = null)
    {
        var body = new JsonObject { ["code"] = code, ["message"] = message };
        if (errors is not null)
        {
            body["errors"] = errors;
        }

        return new Reply(status, body);
    }
}

/// <summary>
/// Collects field errors into Discord's 50035 "Invalid Form Body" tree: a dotted path <c>embeds.0.title</c> becomes
/// <c>{"embeds":{"0":{"title":{"_errors":[{"code":..., "message":...}]}}}}</c>.
/// </summary>
internal sealed class FormErrors
{
    private readonly JsonObject _tree = [];

    public bool Any => _tree.Count > 0;

    public FormErrors Required(string path) => Add(path, "BASE_TYPE_REQUIRED", "This field is required");

    public FormErrors TooLong(string path, int max) => Add(path, "BASE_TYPE_MAX_LENGTH", $"Must be {max} or fewer in length.");

    public FormErrors OutOfRange(string path, int min, int max) => Add(path, "BASE_TYPE_BAD_LENGTH", $"Must be between {min} and {max} in length.");

    public FormErrors Add(string path, string code, string message)
    {
        var node = _tree;
        foreach (var segment in path.Split('.'))
        {
            if (node[segment] is not JsonObject child)
            {
                node[segment] = child = [];
            }

            node = child;
        }

        if (node["_errors"] is not JsonArray errors)
        {
            node["_errors"] = errors = [];
        }

        errors.Add(new JsonObject { ["code"] = code, ["message"] = message });
        return this;
    }

    public Reply ToReply() => DiscordErrors.Error(400, 50035, "Invalid Form Body", (JsonObject)_tree.DeepClone());
}
