using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Mcp;

/// <summary>One tool invocation: its (schema-valid) arguments, the idempotency key minted from the MCP request id, and the request's services.</summary>
public sealed record McpToolCall(JsonObject Arguments, string IdempotencyKey, IServiceProvider Services, CancellationToken CancellationToken)
{
    public string? Text(string name) => Arguments[name]?.GetValue<string>();

    public string RequiredText(string name) => Text(name) ?? throw new McpToolArgumentException(name, $"'{name}' is required.");

    public int? Integer(string name) => Arguments[name]?.GetValue<int>();

    public IReadOnlyList<string> Strings(string name) => Arguments[name] is JsonArray items ? [.. items.Select(i => i!.GetValue<string>())] : [];

    public TimeSpan Wait => TimeSpan.FromSeconds(Integer("waitSeconds") ?? 0);

    public LedgerKey Key(string name)
    {
        var text = RequiredText(name);
        return LedgerKey.TryParse(text, out var key, out var error) ? key : throw new McpToolArgumentException(name, error);
    }

    public DateOnly? Date(string name) => Text(name) is { } text
        ? DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : throw new McpToolArgumentException(name, $"'{name}' must be a date as YYYY-MM-DD; got '{text}'.")
        : null;

    public LedgerStatus? Status(string name) => Text(name) is { } text
        ? LedgerStatusNames.TryParse(text, out var status) ? status : throw new McpToolArgumentException(name, $"'{name}' must be requested, in_progress, blocked or done; got '{text}'.")
        : null;

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>An argument the tool cannot use; reported to the model as a tool error naming the argument, never as a protocol failure.</summary>
public sealed class McpToolArgumentException(string argument, string message) : Exception(message)
{
    public string Argument { get; } = argument;
}
