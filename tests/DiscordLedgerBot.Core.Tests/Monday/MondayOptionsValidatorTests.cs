using DiscordLedgerBot.Core.Monday;

namespace DiscordLedgerBot.Core.Tests.Monday;

public class MondayOptionsValidatorTests
{
    [Fact]
    public void Missing_token_names_key_and_env_var()
    {
        var result = new MondayOptionsValidator().Validate(null, new MondayOptions());
        Assert.True(result.Failed);
        Assert.Contains("Monday:Token is required (env Monday__Token).", result.Failures!);
    }

    [Fact]
    public void Bad_board_and_version_are_reported()
    {
        var result = new MondayOptionsValidator().Validate(null, new MondayOptions { Token = "t", BoardId = "abc", ApiVersion = "2026" });
        Assert.Contains(result.Failures!, f => f.Contains("Monday__BoardId", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Monday__ApiVersion", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_with_a_token_are_valid()
    {
        var options = new MondayOptions { Token = "t" };
        Assert.True(new MondayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(new Uri("https://api.monday.com/v2"), options.ApiUrl);
        Assert.Equal("2026-10", options.ApiVersion);
    }
}
