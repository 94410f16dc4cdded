using DiscordLedgerBot.Api;
using DiscordLedgerBot.Mcp;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>Start-time validation of Api and Mcp: every problem names its key and environment variable.</summary>
public sealed class ApiOptionsTests
{
    [Fact]
    public void Short_tokens_unknown_scopes_and_bad_bounds_are_each_named_with_their_env_variable()
    {
        var options = new ApiOptions
        {
            Tokens =
            [
                new ApiTokenOptions { Token = "short", Scopes = "ledger:read" },
                new ApiTokenOptions { Token = "long-enough-token-0123", Scopes = "ledger:read ledger:delete" },
                new ApiTokenOptions { Token = "another-long-token-0123", Scopes = string.Empty },
                new ApiTokenOptions { Token = string.Empty, Scopes = "ledger:read" },
            ],
            Events = new ApiEventStreamOptions { Capacity = 5, HeartbeatInterval = TimeSpan.Zero },
        };

        var failures = new ApiOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Api:Tokens:0:Token", StringComparison.Ordinal) && f.Contains("Api__Tokens__0__Token", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("unknown scope 'ledger:delete'", StringComparison.Ordinal) && f.Contains("Api__Tokens__1__Scopes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Api:Tokens:2:Scopes", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("Api:Tokens:3", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Api__Events__Capacity", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Api__Events__HeartbeatInterval", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("long-enough-token", StringComparison.Ordinal));
    }

    [Fact]
    public void Mcp_tool_lists_must_name_known_tools()
    {
        var failures = new McpOptionsValidator().Validate(null, new McpOptions { ExcludeTools = ["ledger.delete"] }).Failures!.ToList();

        Assert.Contains(failures, f => f.Contains("Mcp__ExcludeTools__0", StringComparison.Ordinal) && f.Contains("ledger.delete", StringComparison.Ordinal));
    }
}
