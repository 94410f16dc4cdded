namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>How the Discord emulator behaves. Defaults mirror Discord except where noted (a generous default route limit).</summary>
public sealed class DiscordEmulatorOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>The bot token the emulator accepts (Authorization: Bot ..., Identify, Resume).</summary>
    public string BotToken { get; set; } = "emulator-bot-token";

    /// <summary>A fixed snowflake outside the generated range; a bot user's id equals its application's id.</summary>
    public string ApplicationId { get; set; } = EmulatedGuild.Ids.Application;

    public string BotUserId { get; set; } = EmulatedGuild.Ids.Application;

    public string BotUserName { get; set; } = "ledger-bot";

    /// <summary>
    /// The bot's guilds, announced in READY (as unavailable) and then with GUILD_CREATE. Empty (the default) means one
    /// <see cref="EmulatedGuild.Realistic"/> guild built for <see cref="BotUserId"/>. Each must have the bot as a member.
    /// </summary>
    public IList<EmulatedGuild> Guilds { get; } = [];

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(41_250);

    /// <summary>Client frames allowed per connection per <see cref="GatewaySendWindow"/> before closing with 4008.</summary>
    public int GatewaySendLimit { get; set; } = 120;

    public TimeSpan GatewaySendWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Identify requesting any of these intent bits is closed with 4014 (e.g. the privileged ones, 1&lt;&lt;1 | 1&lt;&lt;8 | 1&lt;&lt;15).</summary>
    public int DisallowedIntents { get; set; }

    /// <summary>
    /// Limits per route template (OpenAPI spelling, e.g. <c>POST /channels/{channel_id}/messages</c>), applied per major
    /// parameter value. Routes without an entry get <see cref="DefaultRouteLimit"/>.
    /// </summary>
    public IList<EmulatedRouteLimit> RouteLimits { get; } = [];

    /// <summary>Generous on purpose so tests unrelated to rate limits never wait; set RouteLimits for Discord's real numbers.</summary>
    public EmulatedRouteLimit DefaultRouteLimit { get; set; } = new("*", "*", 50, TimeSpan.FromSeconds(1));

    /// <summary>Requests per second across all routes (interaction callbacks excluded), like Discord's global limit.</summary>
    public int GlobalRequestsPerSecond { get; set; } = 50;

    /// <summary>Initial responses later than this after dispatch get 404 Unknown interaction (10062), as on Discord.</summary>
    public TimeSpan InteractionResponseDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Voice server host announced in VOICE_SERVER_UPDATE after an op 4 join; null announces the emulator's own voice
    /// server (127.0.0.1:port, plain ws).
    /// </summary>
    public string? VoiceEndpoint { get; set; }

    /// <summary>The DAVE protocol version the emulated voice server runs calls with (0 = transport encryption only).</summary>
    public int VoiceDaveProtocolVersion { get; set; } = 1;

    /// <summary>Close with 4017 when a client without DAVE identifies into a DAVE call, as Discord does since 2026-03-01.</summary>
    public bool VoiceRequireDave { get; set; } = true;

    /// <summary>Transport encryption modes the voice server offers in Ready (Discord always offers XChaCha20, AES-GCM when its hardware can).</summary>
    public IList<string> VoiceModes { get; } = ["aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize"];

    public TimeSpan VoiceHeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(13_750);

    /// <summary>
    /// GET /gateway/bot's <c>shards</c>. Above 1, sharding is required: an Identify without a shard pair, or with fewer
    /// shards than this, is closed with 4011. Each session then gets only the guilds of its shard ((guild_id &gt;&gt; 22) % count).
    /// </summary>
    public int RecommendedShards { get; set; } = 1;

    /// <summary>GET /gateway/bot's <c>session_start_limit.max_concurrency</c>: buckets of <c>shard_id % MaxConcurrency</c>.</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// Enforces identify concurrency as Discord does: an Identify in a bucket that identified less than
    /// <see cref="IdentifyWindow"/> ago is answered with INVALID_SESSION (d=false) and no session starts.
    /// Off by default so tests unrelated to sharding may re-identify at once.
    /// </summary>
    public bool EnforceIdentifyConcurrency { get; set; }

    public TimeSpan IdentifyWindow { get; set; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>A fixed-window limit: <paramref name="Limit"/> requests per <paramref name="Window"/> per major parameter.</summary>
/// <param name="Method">HTTP method, or "*" for any.</param>
/// <param name="RouteTemplate">OpenAPI path template, e.g. <c>/channels/{channel_id}/messages</c>, or "*".</param>
/// <param name="BucketId">The X-RateLimit-Bucket value; routes with the same id share the limit. Derived from the route when null.</param>
public sealed record EmulatedRouteLimit(string Method, string RouteTemplate, int Limit, TimeSpan Window, string? BucketId = null);
