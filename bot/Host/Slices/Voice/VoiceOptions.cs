using System.Globalization;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Voice;

/// <summary>Section "Voice": joining voice channels and hearing speakers. Off unless enabled.</summary>
public sealed class VoiceOptions
{
    public const string SectionName = "Voice";

    public bool Enabled { get; set; }

    /// <summary>A voice channel the bot joins when the gateway is ready (and rejoins when its session is lost).</summary>
    public string? AutoJoinChannelId { get; set; }

    /// <summary>The guild of <see cref="AutoJoinChannelId"/>.</summary>
    public string? AutoJoinGuildId { get; set; }

    /// <summary>Silence this long ends an utterance.</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>After a speaker's flag drops, how long late packets may still arrive.</summary>
    public TimeSpan SpeakingEndGrace { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Utterances are cut at this length.</summary>
    public TimeSpan MaxUtterance { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>"wss" for Discord; the sandbox's emulated voice server speaks "ws".</summary>
    public string EndpointScheme { get; set; } = "wss";
}

/// <summary>Checked at start: every problem names its key and env variable.</summary>
internal sealed class VoiceOptionsValidator : IValidateOptions<VoiceOptions>
{
    public ValidateOptionsResult Validate(string? name, VoiceOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.AutoJoinChannelId) && !IsSnowflake(options.AutoJoinChannelId))
        {
            failures.Add("Voice:AutoJoinChannelId must be a channel id (digits) (env Voice__AutoJoinChannelId).");
        }

        if (!string.IsNullOrEmpty(options.AutoJoinChannelId) && !IsSnowflake(options.AutoJoinGuildId))
        {
            failures.Add("Voice:AutoJoinGuildId must be the guild id (digits) of the auto-join channel (env Voice__AutoJoinGuildId).");
        }

        if (options.SilenceTimeout < TimeSpan.FromMilliseconds(100) || options.SilenceTimeout > TimeSpan.FromSeconds(10))
        {
            failures.Add("Voice:SilenceTimeout must be between 00:00:00.100 and 00:00:10 (env Voice__SilenceTimeout).");
        }

        if (options.SpeakingEndGrace < TimeSpan.Zero || options.SpeakingEndGrace > TimeSpan.FromSeconds(5))
        {
            failures.Add("Voice:SpeakingEndGrace must be between 0 and 00:00:05 (env Voice__SpeakingEndGrace).");
        }

        if (options.MaxUtterance < TimeSpan.FromSeconds(1) || options.MaxUtterance > TimeSpan.FromMinutes(5))
        {
            failures.Add("Voice:MaxUtterance must be between 00:00:01 and 00:05:00 (env Voice__MaxUtterance).");
        }

        if (options.EndpointScheme is not ("wss" or "ws"))
        {
            failures.Add("Voice:EndpointScheme must be wss (Discord) or ws (the emulator) (env Voice__EndpointScheme).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSnowflake(string? value) => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
