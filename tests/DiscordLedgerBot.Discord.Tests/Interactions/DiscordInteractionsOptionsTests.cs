using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

public class DiscordInteractionsOptionsTests
{
    private static IEnumerable<string> Failures(DiscordInteractionsOptions options) =>
        new DiscordInteractionsOptionsValidator().Validate(null, options).Failures ?? [];

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(Failures(new DiscordInteractionsOptions()));

    [Fact]
    public void Each_bad_setting_is_named_with_its_environment_variable()
    {
        var failures = Failures(new DiscordInteractionsOptions
        {
            PublicKey = "not-a-key",
            InteractionDeferAfter = TimeSpan.FromSeconds(3),
            InteractionSignatureMaxAge = TimeSpan.Zero,
            InteractionMaxBodyBytes = 10,
        }).ToList();

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.Contains("Discord:PublicKey", StringComparison.Ordinal) && f.Contains("Discord__PublicKey", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Discord:InteractionDeferAfter", StringComparison.Ordinal));
    }

    [Fact]
    public void Mapping_the_http_endpoint_without_a_public_key_fails_at_start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<IDiscordRest>(new RecordingDiscordRest());
        builder.Services.AddDiscordInteractions(builder.Configuration, _ => { });
        using var app = builder.Build();

        var exception = Assert.Throws<InvalidOperationException>(() => app.MapDiscordInteractions());

        Assert.Contains("Discord:PublicKey is required", exception.Message, StringComparison.Ordinal);
    }
}
