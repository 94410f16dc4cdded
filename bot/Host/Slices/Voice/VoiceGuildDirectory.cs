using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Voice;

/// <summary>
/// What the gateway told us about voice in each guild: who sits in which voice channel (GUILD_CREATE's voice_states,
/// then VOICE_STATE_UPDATE), and the roles, channel overwrites and the bot's roles needed to compute the bot's own
/// permissions in a channel the way Discord does (base from roles, then @everyone, role and member overwrites).
/// </summary>
public sealed class VoiceGuildDirectory(IDiscordGateway gateway) : IGatewayEventHandler<GuildCreated>, IGatewayEventHandler<VoiceStateUpdated>
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, JsonElement> _guilds = [];
    private readonly Dictionary<(ulong Guild, ulong User), ulong> _voiceChannels = [];

    public Task HandleAsync(GuildCreated gatewayEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatewayEvent);
        if (!ulong.TryParse(gatewayEvent.GuildId, CultureInfo.InvariantCulture, out var guildId))
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _guilds[guildId] = gatewayEvent.Guild.Clone();
            if (gatewayEvent.Guild.TryGetProperty("voice_states", out var states) && states.ValueKind == JsonValueKind.Array)
            {
                foreach (var state in states.EnumerateArray())
                {
                    if (Id(state, "user_id") is { } user && Id(state, "channel_id") is { } channel)
                    {
                        _voiceChannels[(guildId, user)] = channel;
                    }
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task HandleAsync(VoiceStateUpdated gatewayEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatewayEvent);
        if (!ulong.TryParse(gatewayEvent.GuildId, CultureInfo.InvariantCulture, out var guildId) || !ulong.TryParse(gatewayEvent.UserId, CultureInfo.InvariantCulture, out var userId))
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (ulong.TryParse(gatewayEvent.ChannelId, CultureInfo.InvariantCulture, out var channelId))
            {
                _voiceChannels[(guildId, userId)] = channelId;
            }
            else
            {
                _voiceChannels.Remove((guildId, userId));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The voice channel <paramref name="userId"/> is in, if any.</summary>
    public ulong? VoiceChannelOf(ulong guildId, ulong userId)
    {
        lock (_gate)
        {
            return _voiceChannels.TryGetValue((guildId, userId), out var channel) ? channel : null;
        }
    }

    /// <summary>The channel's name and type, when GUILD_CREATE listed it.</summary>
    public (string Name, int Type)? Channel(ulong guildId, ulong channelId)
    {
        lock (_gate)
        {
            return FindChannel(guildId, channelId) is { } channel
                ? (channel.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty, channel.GetProperty("type").GetInt32())
                : null;
        }
    }

    /// <summary>The bot's permissions in <paramref name="channelId"/>, or null when the guild or channel is unknown.</summary>
    public DiscordPermissions? BotPermissionsIn(ulong guildId, ulong channelId)
    {
        if (gateway.Session?.UserId is not { } self || !ulong.TryParse(self, CultureInfo.InvariantCulture, out var botId))
        {
            return null;
        }

        lock (_gate)
        {
            if (!_guilds.TryGetValue(guildId, out var guild) || FindChannel(guildId, channelId) is not { } channel)
            {
                return null;
            }

            var roles = guild.GetProperty("roles").EnumerateArray().ToDictionary(r => Id(r, "id") ?? 0, r => Bits(r, "permissions"));
            var botRoles = guild.TryGetProperty("members", out var members)
                ? members.EnumerateArray().Where(m => m.TryGetProperty("user", out var u) && Id(u, "id") == botId)
                    .SelectMany(m => m.GetProperty("roles").EnumerateArray().Select(r => ulong.Parse(r.GetString()!, CultureInfo.InvariantCulture))).ToHashSet()
                : [];
            var permissions = roles.GetValueOrDefault(guildId);
            foreach (var role in botRoles)
            {
                permissions |= roles.GetValueOrDefault(role);
            }

            if ((permissions & (ulong)DiscordPermissions.Administrator) != 0)
            {
                return (DiscordPermissions)ulong.MaxValue;
            }

            var overwrites = channel.TryGetProperty("permission_overwrites", out var list) ? list.EnumerateArray().ToList() : [];
            foreach (var everyone in overwrites.Where(o => Id(o, "id") == guildId))
            {
                permissions = (permissions & ~Bits(everyone, "deny")) | Bits(everyone, "allow");
            }

            ulong allow = 0, deny = 0;
            foreach (var role in overwrites.Where(o => o.GetProperty("type").GetInt32() == 0 && Id(o, "id") is { } id && botRoles.Contains(id)))
            {
                allow |= Bits(role, "allow");
                deny |= Bits(role, "deny");
            }

            permissions = (permissions & ~deny) | allow;
            foreach (var member in overwrites.Where(o => o.GetProperty("type").GetInt32() == 1 && Id(o, "id") == botId))
            {
                permissions = (permissions & ~Bits(member, "deny")) | Bits(member, "allow");
            }

            return (DiscordPermissions)permissions;
        }
    }

    private JsonElement? FindChannel(ulong guildId, ulong channelId)
    {
        if (!_guilds.TryGetValue(guildId, out var guild) || !guild.TryGetProperty("channels", out var channels))
        {
            return null;
        }

        foreach (var channel in channels.EnumerateArray())
        {
            if (Id(channel, "id") == channelId)
            {
                return channel;
            }
        }

        return null;
    }

    private static ulong? Id(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var id) ? id : null;

    private static ulong Bits(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && ulong.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var bits) ? bits : 0;
}
