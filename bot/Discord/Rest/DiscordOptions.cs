using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord;

/// <summary>
/// Settings of our Discord client (configuration section <c>Discord</c>, env vars <c>Discord__Token</c> etc.).
/// <see cref="ToString"/> never shows the token.
/// </summary>
public sealed class DiscordOptions
{
    public const string SectionName = "Discord";

    /// <summary>GUILDS (1) | GUILD_VOICE_STATES (128): the least this bot needs; INTERACTION_CREATE is not intent-gated.</summary>
    public const int MinimalIntents = 129;

    /// <summary>Bot token from the developer portal. Never logged.</summary>
    public string Token { get; set; } = string.Empty;

    public string ApplicationId { get; set; } = string.Empty;

    /// <summary>REST base URL including the version; the emulator's <c>RestBaseUrl</c> in sandbox mode.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10");

    public int GatewayIntents { get; set; } = MinimalIntents;

    public int ShardId { get; set; }

    public int ShardCount { get; set; } = 1;

    /// <summary>
    /// Several shards in this process: <c>"0-3/8"</c> (shards 0-3 of 8), <c>"5/8"</c>, or <c>"auto"</c> (all shards of the
    /// count GET /gateway/bot recommends). Unset: the one shard <see cref="ShardId"/>/<see cref="ShardCount"/>.
    /// </summary>
    public string? Shards { get; set; }

    /// <summary>When set, application commands are registered to this guild only (instant, for development).</summary>
    public string? GuildId { get; set; }

    /// <summary>The URL part of the mandatory <c>User-Agent: DiscordBot (url, version)</c>.</summary>
    public Uri UserAgentUrl { get; set; } = new("https://github.com/discordledgerbot/discordledgerbot");

    public string UserAgentVersion { get; set; } = "1.0";

    /// <summary>Timeout of one HTTP attempt (rate-limit waits are not part of it).</summary>
    public TimeSpan RestRequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after 429 (always) and after 5xx/transport errors (idempotent requests only).</summary>
    public int RestMaxRetries { get; set; } = 4;

    /// <summary>Discord allows 50 requests/s per bot token across all routes (interaction callbacks excluded).</summary>
    public int GlobalRequestsPerSecond { get; set; } = 50;

    /// <summary>
    /// Requests answered 401/403/429 (non-shared) counted over 10 minutes after which the client fails fast instead of
    /// risking Cloudflare's ban at 10,000.
    /// </summary>
    public int InvalidRequestSafetyThreshold { get; set; } = 8000;

    /// <summary>First delay before reconnecting after an unexpected drop; doubles up to <see cref="GatewayMaxReconnectDelay"/>.</summary>
    public TimeSpan GatewayReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan GatewayMaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed to open the WebSocket and receive Hello.</summary>
    public TimeSpan GatewayConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public override string ToString() =>
        $"DiscordOptions {{ Token = {(string.IsNullOrEmpty(Token) ? "<missing>" : "<redacted>")}, ApplicationId = {ApplicationId}, ApiBaseUrl = {ApiBaseUrl}, GatewayIntents = {GatewayIntents}, Shard = [{ShardId}, {ShardCount}], Shards = {Shards ?? "(one)"}, GuildId = {GuildId} }}";
}

/// <summary>Checks <see cref="DiscordOptions"/> at start; every message names the key and its environment variable.</summary>
public sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add("Discord:Token is required (env Discord__Token): the bot token from the developer portal.");
        }
        else if (options.Token.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("Discord:Token must be the bare token without the 'Bot ' prefix (env Discord__Token).");
        }

        if (!IsSnowflake(options.ApplicationId))
        {
            failures.Add("Discord:ApplicationId is required and must be a numeric snowflake (env Discord__ApplicationId).");
        }

        if (options.GuildId is { Length: > 0 } guild && !IsSnowflake(guild))
        {
            failures.Add("Discord:GuildId must be a numeric snowflake when set (env Discord__GuildId).");
        }

        if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
        {
            failures.Add("Discord:ApiBaseUrl must be an absolute http(s) URL such as https://discord.com/api/v10 (env Discord__ApiBaseUrl).");
        }

        if (options.GatewayIntents < 0)
        {
            failures.Add("Discord:GatewayIntents must be a non-negative intents bitset, e.g. 129 = GUILDS|GUILD_VOICE_STATES (env Discord__GatewayIntents).");
        }

        if (options.ShardCount < 1 || options.ShardId < 0 || options.ShardId >= options.ShardCount)
        {
            failures.Add($"Discord:ShardId must be in [0, Discord:ShardCount) and Discord:ShardCount >= 1 (env Discord__ShardId, Discord__ShardCount); got [{options.ShardId}, {options.ShardCount}].");
        }

        if (!string.IsNullOrWhiteSpace(options.Shards) && !Gateway.ShardRange.TryParse(options.Shards, out _))
        {
            failures.Add($"Discord:Shards must be \"first-last/count\" (e.g. 0-3/8), \"id/count\" or \"auto\" with first <= last < count (env Discord__Shards); got '{options.Shards}'.");
        }

        if (options.RestRequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Discord:RestRequestTimeout must be positive (env Discord__RestRequestTimeout).");
        }

        if (options.RestMaxRetries < 0)
        {
            failures.Add("Discord:RestMaxRetries must be >= 0 (env Discord__RestMaxRetries).");
        }

        if (options.GlobalRequestsPerSecond < 1)
        {
            failures.Add("Discord:GlobalRequestsPerSecond must be >= 1 (env Discord__GlobalRequestsPerSecond).");
        }

        if (options.InvalidRequestSafetyThreshold is < 1 or > 10_000)
        {
            failures.Add("Discord:InvalidRequestSafetyThreshold must be in [1, 10000] (env Discord__InvalidRequestSafetyThreshold).");
        }

        if (options.GatewayReconnectDelay <= TimeSpan.Zero || options.GatewayMaxReconnectDelay < options.GatewayReconnectDelay)
        {
            failures.Add("Discord:GatewayReconnectDelay must be positive and not above Discord:GatewayMaxReconnectDelay (env Discord__GatewayReconnectDelay).");
        }

        if (options.GatewayConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("Discord:GatewayConnectTimeout must be positive (env Discord__GatewayConnectTimeout).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSnowflake(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 20 && value.All(char.IsAsciiDigit);
}
