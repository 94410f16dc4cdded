using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Mcp;

/// <summary>Section "Mcp": which tools the MCP server exposes (stdio `bot mcp` and HTTP /mcp alike).</summary>
public sealed class McpOptions
{
    public const string SectionName = "Mcp";

    /// <summary>Expose only tools that read (readOnlyHint); independent of Ledger:ReadOnly, which refuses writes everywhere.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>When non-empty, only these tools are exposed.</summary>
    public List<string> IncludeTools { get; set; } = [];

    /// <summary>These tools are never exposed.</summary>
    public List<string> ExcludeTools { get; set; } = [];

    /// <summary>Serve the streamable HTTP transport on /mcp (bearer tokens from Api:Tokens).</summary>
    public bool HttpEnabled { get; set; } = true;
}

internal sealed class McpOptionsValidator : IValidateOptions<McpOptions>
{
    public ValidateOptionsResult Validate(string? name, McpOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.IncludeTools.Count; i++)
        {
            if (!LedgerMcpTools.Names.Contains(options.IncludeTools[i]))
            {
                failures.Add($"Mcp:IncludeTools:{i} names unknown tool '{options.IncludeTools[i]}' (env Mcp__IncludeTools__{i}); known: {string.Join(", ", LedgerMcpTools.Names)}.");
            }
        }

        for (var i = 0; i < options.ExcludeTools.Count; i++)
        {
            if (!LedgerMcpTools.Names.Contains(options.ExcludeTools[i]))
            {
                failures.Add($"Mcp:ExcludeTools:{i} names unknown tool '{options.ExcludeTools[i]}' (env Mcp__ExcludeTools__{i}); known: {string.Join(", ", LedgerMcpTools.Names)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
