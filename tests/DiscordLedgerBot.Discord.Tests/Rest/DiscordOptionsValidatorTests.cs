namespace DiscordLedgerBot.Discord.Tests.Rest;

public sealed class DiscordOptionsValidatorTests
{
    [Fact]
    public void Missing_settings_are_reported_with_their_keys_and_environment_variables()
    {
        var result = new DiscordOptionsValidator().Validate(null, new DiscordOptions { ShardId = 2, ShardCount = 2 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Discord:Token", StringComparison.Ordinal) && f.Contains("Discord__Token", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Discord:ApplicationId", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Discord:ShardId", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_settings_pass_and_the_token_never_appears_in_text()
    {
        var options = new DiscordOptions { Token = "secret-token-value", ApplicationId = "1100000000000000001" };

        Assert.True(new DiscordOptionsValidator().Validate(null, options).Succeeded);
        Assert.DoesNotContain("secret-token-value", options.ToString(), StringComparison.Ordinal);
    }
}
