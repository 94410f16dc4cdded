namespace DiscordLedgerBot.Slices.Speech.VoiceMessages;

/// <summary>
/// <c>Speech:VoiceMessages:*</c>: which Discord voice messages (audio attachments with the IS_VOICE_MESSAGE flag) the bot
/// recognises, and the limits on fetching them from Discord's CDN. Validated at start.
/// </summary>
public sealed class VoiceMessageOptions
{
    public const string SectionName = "Speech:VoiceMessages";

    public const string Addressed = "addressed";
    public const string Wake = "wake";
    public const string All = "all";
    public const string Off = "off";

    /// <summary>
    /// <c>addressed</c> (default): a voice message in a DM with the bot or one that mentions it (a reply to the bot with
    /// its @mention on) is a request as it is; any other is ignored, not even fetched. Discord delivers exactly these
    /// with their attachment without the privileged MESSAGE_CONTENT intent, so this mode never asks for it.
    /// <c>wake</c>: those, a reply to the bot without the @mention, and any other voice message that starts with the wake
    /// phrase, like live voice — needs MESSAGE_CONTENT. <c>all</c>: every voice message is a request (a channel dedicated
    /// to the ledger) — needs MESSAGE_CONTENT. <c>off</c>: none are fetched.
    /// </summary>
    public string Mode { get; set; } = Addressed;

    /// <summary>Channel ids voice messages are taken in; empty means every channel the bot can read.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>Largest attachment fetched (Discord's own voice messages run ~4 KiB/s; 1 MiB is minutes of speech).</summary>
    public long MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Hosts (https only) attachments are fetched from; the origin of <c>Discord:ApiBaseUrl</c> is always allowed too.</summary>
    public List<string> AllowedHosts { get; set; } = ["cdn.discordapp.com", "media.discordapp.net"];

    /// <summary>Per download attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after 5xx, 408, 429, a timeout or a connection error; a 429/503's Retry-After sets the wait.</summary>
    public int Retries { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on the whole download, retries and their waits included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => Mode != Off;

    /// <summary>Only these modes read guild voice messages that do not mention the bot, which Discord sends empty otherwise.</summary>
    public bool NeedsMessageContent => Mode is Wake or All;

    public IEnumerable<string> Problems()
    {
        if (Mode is not (Addressed or Wake or All or Off))
        {
            yield return $"Speech:VoiceMessages:Mode must be addressed, wake, all or off (got '{Mode}').";
        }

        if (Channels.Any(channel => channel.Length is < 15 or > 20 || !channel.All(char.IsAsciiDigit)))
        {
            yield return "Speech:VoiceMessages:Channels must hold Discord channel ids (15–20 digits).";
        }

        if (MaxBytes is < 1024 or > 25 * 1024 * 1024)
        {
            yield return "Speech:VoiceMessages:MaxBytes must be between 1 KiB and 25 MiB.";
        }

        if (AllowedHosts.Any(host => Uri.CheckHostName(host) != UriHostNameType.Dns))
        {
            yield return "Speech:VoiceMessages:AllowedHosts must be DNS host names (e.g. cdn.discordapp.com).";
        }

        if (Timeout < TimeSpan.FromMilliseconds(10) || TotalTimeout < Timeout || TotalTimeout > TimeSpan.FromMinutes(10))
        {
            yield return "Speech:VoiceMessages:Timeout must be at least 10 ms and Speech:VoiceMessages:TotalTimeout at least Timeout (and at most 10 min).";
        }

        if (Retries is < 0 or > 10 || RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(1))
        {
            yield return "Speech:VoiceMessages:Retries must be between 0 and 10 and Speech:VoiceMessages:RetryDelay between 0 and 1 minute.";
        }
    }
}
