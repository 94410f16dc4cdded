using DiscordLedgerBot.Registry;
using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Bot.Tests.Registry;

public sealed class RegistryOptionsTests
{
    [Fact]
    public void Binds_breaker_settings_and_redacts_tokens()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Registry:AdminApiEnabled"] = "true",
            ["Registry:AdminToken"] = "super-secret-admin-token",
            ["Registry:Breaker:FailureRatio"] = "0.3",
            ["Registry:Breaker:BreakDuration"] = "00:01:00",
        });

        Assert.Equal(0.3, options.Breaker.FailureRatio);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Breaker.BreakDuration);
        Assert.True(new RegistryOptionsValidator().Validate(null, options).Succeeded);
        Assert.DoesNotContain("super-secret", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_settings_name_the_key_and_its_environment_variable()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Registry:AdminApiEnabled"] = "true",
            ["Registry:Store"] = "s3",
            ["Registry:Breaker:MinimumThroughput"] = "1",
        });

        var result = new RegistryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Registry:AdminToken is required (at least 16 characters) when Registry:AdminApiEnabled is true (env Registry__AdminToken).", result.Failures);
        Assert.Contains("Registry:Store must be 'file', 'memory' or 'redis', got 's3' (env Registry__Store).", result.Failures);
        Assert.Contains("Registry:Breaker:MinimumThroughput must be at least 2, got 1.", result.Failures);
    }

    private static RegistryOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new RegistryOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(RegistryOptions.SectionName).Bind(options);
        return options;
    }
}
