using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Slices.Voice;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Voice;

public sealed class VoiceCompositionTests
{
    [Fact]
    public void Bad_voice_settings_are_each_named_with_their_key_and_env_variable()
    {
        using var services = Compose(new()
        {
            ["Voice:Enabled"] = "true",
            ["Voice:AutoJoinChannelId"] = "standup",
            ["Voice:SilenceTimeout"] = "00:00:30",
            ["Voice:EndpointScheme"] = "http",
        });

        var failures = LedgerBotComposition.ValidateOptions(services, [typeof(VoiceOptions)]);

        Assert.Contains(failures, f => f.StartsWith("Voice:AutoJoinChannelId must be a channel id", StringComparison.Ordinal) && f.Contains("Voice__AutoJoinChannelId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Voice:AutoJoinGuildId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Voice:SilenceTimeout", StringComparison.Ordinal) && f.Contains("Voice__SilenceTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Voice:EndpointScheme", StringComparison.Ordinal));
        Assert.Contains(typeof(VoiceOptions), LedgerBotComposition.OptionsFor(LedgerBotRole.Bot));
    }

    [Fact]
    public void Voice_off_composes_no_command_or_connection_but_keeps_the_default_sink_for_the_speech_seam()
    {
        var off = Services(new() { ["Voice:Enabled"] = "false", ["Speech:Enabled"] = "false" });
        var on = Services(new() { ["Voice:Enabled"] = "true" });

        Assert.DoesNotContain(off, d => d.ServiceType == typeof(VoiceModule) || d.ServiceType == typeof(VoiceChannelManager));
        Assert.Contains(on, d => d.ServiceType == typeof(VoiceModule));
        Assert.Contains(on, d => d.ServiceType == typeof(VoiceChannelManager));
        using var provider = off.BuildServiceProvider();
        Assert.IsType<LoggingUtteranceSink>(provider.GetRequiredService<IUtteranceSink>());
    }

    private static ServiceProvider Compose(Dictionary<string, string?> settings) => Services(settings).BuildServiceProvider();

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLedgerBot(configuration, LedgerBotRole.Cli);
        return services;
    }
}
