using System.Globalization;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Voice.Connection;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Receive;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Voice;

/// <summary>What <c>/voice status</c> shows for a guild.</summary>
public sealed record VoiceGuildStatus(ulong? RequestedChannelId, VoiceConnectionStatus? Connection, string? LastEnd);

/// <summary>
/// Joins and leaves voice channels (gateway op 4), and runs one <see cref="VoiceConnection"/> per guild from the pair
/// VOICE_STATE_UPDATE (our session id) + VOICE_SERVER_UPDATE (endpoint and token). A new server update is a new voice
/// session (endpoint move or channel change): the old connection stops and a fresh one starts; a null endpoint means
/// the server is being reallocated, so we disconnect and wait. A session that ends with "rejoin" (4006, 4009, 4011)
/// asks the gateway again. Every utterance heard goes to the <see cref="IUtteranceSink"/>.
/// </summary>
public sealed partial class VoiceChannelManager(
    IDiscordGateway gateway,
    IOptions<VoiceOptions> options,
    IUtteranceSink sink,
    IDaveMlsSessionFactory daveFactory,
    TimeProvider time,
    ILogger<VoiceChannelManager> logger,
    ILoggerFactory loggers)
    : IGatewayEventHandler<Ready>, IGatewayEventHandler<VoiceStateUpdated>, IGatewayEventHandler<VoiceServerUpdated>, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, GuildVoice> _guilds = [];

    /// <summary>Sends op 4 for <paramref name="channelId"/>; the connection starts when Discord answers with the voice server.</summary>
    public async Task JoinAsync(ulong guildId, ulong channelId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Guild(guildId).RequestedChannelId = channelId;
        }

        await gateway.UpdateVoiceStateAsync(Id(guildId), Id(channelId), selfMute: true, selfDeaf: false, cancellationToken);
    }

    /// <summary>Leaves the guild's voice channel (op 4 with a null channel) and closes the voice connection.</summary>
    public async Task<bool> LeaveAsync(ulong guildId, CancellationToken cancellationToken)
    {
        bool wasIn;
        lock (_gate)
        {
            var guild = Guild(guildId);
            wasIn = guild.RequestedChannelId is not null || guild.Connection is not null;
            guild.RequestedChannelId = null;
        }

        await StopAsync(guildId);
        await gateway.UpdateVoiceStateAsync(Id(guildId), null, selfMute: false, selfDeaf: false, cancellationToken);
        return wasIn;
    }

    public VoiceGuildStatus Status(ulong guildId)
    {
        lock (_gate)
        {
            return _guilds.TryGetValue(guildId, out var guild)
                ? new VoiceGuildStatus(guild.RequestedChannelId, guild.Connection?.Status, guild.LastEnd)
                : new VoiceGuildStatus(null, null, null);
        }
    }

    public async Task HandleAsync(Ready gatewayEvent, CancellationToken cancellationToken)
    {
        var configured = options.Value;
        if (ulong.TryParse(configured.AutoJoinChannelId, CultureInfo.InvariantCulture, out var channel)
            && ulong.TryParse(configured.AutoJoinGuildId, CultureInfo.InvariantCulture, out var guild))
        {
            LogAutoJoin(logger, channel);
            await JoinAsync(guild, channel, cancellationToken);
        }
    }

    public async Task HandleAsync(VoiceStateUpdated gatewayEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatewayEvent);
        if (gatewayEvent.UserId != gateway.Session?.UserId || !ulong.TryParse(gatewayEvent.GuildId, CultureInfo.InvariantCulture, out var guildId))
        {
            return;
        }

        var left = false;
        lock (_gate)
        {
            var guild = Guild(guildId);
            guild.SessionId = gatewayEvent.SessionId;
            if (gatewayEvent.ChannelId is null)
            {
                left = true;
                guild.ActualChannelId = null;
            }
            else if (ulong.TryParse(gatewayEvent.ChannelId, CultureInfo.InvariantCulture, out var channel))
            {
                // Moved by a moderator: follow; the server update that comes with it starts the new session.
                guild.ActualChannelId = channel;
                guild.RequestedChannelId ??= channel;
            }
        }

        if (left)
        {
            await StopAsync(guildId);
        }
    }

    public async Task HandleAsync(VoiceServerUpdated gatewayEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatewayEvent);
        if (!ulong.TryParse(gatewayEvent.GuildId, CultureInfo.InvariantCulture, out var guildId))
        {
            return;
        }

        // Every server update is a new voice session: the old connection (if any) cannot carry over.
        await StopAsync(guildId);
        if (gatewayEvent.Endpoint is null)
        {
            LogReallocating(logger, guildId);
            return;
        }

        lock (_gate)
        {
            var guild = Guild(guildId);
            if (guild.SessionId is not { } sessionId || (guild.ActualChannelId ?? guild.RequestedChannelId) is not { } channelId
                || gateway.Session?.UserId is not { } self)
            {
                return;
            }

            var server = new VoiceServerInfo(guildId, channelId, ulong.Parse(self, CultureInfo.InvariantCulture), sessionId, gatewayEvent.Endpoint, gatewayEvent.Token);
            var configured = options.Value;
            var connection = new VoiceConnection(
                server,
                new VoiceConnectionOptions
                {
                    Scheme = configured.EndpointScheme,
                    Receiver = new VoiceReceiverOptions { SilenceTimeout = configured.SilenceTimeout, SpeakingEndGrace = configured.SpeakingEndGrace, MaxUtterance = configured.MaxUtterance },
                },
                time,
                loggers.CreateLogger<VoiceConnection>(),
                daveFactory,
                heard => Hand(server, heard));
            var stop = new CancellationTokenSource();
            guild.Connection = connection;
            guild.Stop = stop;
            guild.Run = Task.Run(() => RunAsync(guildId, connection, stop.Token), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ulong> guilds;
        lock (_gate)
        {
            guilds = [.. _guilds.Keys];
        }

        foreach (var guild in guilds)
        {
            await StopAsync(guild);
        }
    }

    private async Task RunAsync(ulong guildId, VoiceConnection connection, CancellationToken cancellationToken)
    {
        VoiceConnectionEnd end;
        try
        {
            end = await connection.RunAsync(cancellationToken);
        }
#pragma warning disable CA1031 // A voice failure must not take the host down; it is logged and shown by /voice status.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogConnectionFailed(logger, exception, guildId);
            end = new VoiceConnectionEnd(null, exception.Message, Rejoin: false);
        }

        ulong? rejoin = null;
        lock (_gate)
        {
            var guild = Guild(guildId);
            guild.LastEnd = end.Reason;
            if (end.Rejoin && !cancellationToken.IsCancellationRequested && guild.Connection == connection)
            {
                rejoin = guild.RequestedChannelId;
            }
        }

        if (rejoin is { } channel)
        {
            await JoinAsync(guildId, channel, CancellationToken.None);
        }
    }

    private async Task StopAsync(ulong guildId)
    {
        VoiceConnection? connection;
        CancellationTokenSource? stop;
        Task? run;
        lock (_gate)
        {
            var guild = Guild(guildId);
            (connection, stop, run) = (guild.Connection, guild.Stop, guild.Run);
            (guild.Connection, guild.Stop, guild.Run) = (null, null, null);
        }

        if (connection is null)
        {
            return;
        }

        await stop!.CancelAsync();
        await run!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await connection.DisposeAsync();
        stop.Dispose();
    }

    private void Hand(VoiceServerInfo server, HeardUtterance heard)
    {
        var utterance = new SpokenUtterance(
            Guid.NewGuid().ToString("N"),
            Id(server.GuildId),
            Id(server.ChannelId),
            Id(heard.SpeakerId),
            UtteranceOrigin.VoiceChannel,
            heard.StartedAt,
            heard.EndedAt,
            heard.Pcm);
        var accepted = sink.AcceptAsync(utterance, CancellationToken.None);
        if (!accepted.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(accepted);
        }
    }

    private async Task ObserveAsync(ValueTask accepted)
    {
        try
        {
            await accepted;
        }
#pragma warning disable CA1031 // The sink's failure is logged; the receiver goes on.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogSinkFailed(logger, exception);
        }
    }

    private GuildVoice Guild(ulong guildId)
    {
        if (!_guilds.TryGetValue(guildId, out var guild))
        {
            guild = new GuildVoice();
            _guilds[guildId] = guild;
        }

        return guild;
    }

    private static string Id(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Joining the configured voice channel {ChannelId}")]
    private static partial void LogAutoJoin(ILogger logger, ulong channelId);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Voice server of guild {GuildId} is being reallocated; waiting for the next one")]
    private static partial void LogReallocating(ILogger logger, ulong guildId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Voice connection in guild {GuildId} failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, ulong guildId);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "The utterance sink failed")]
    private static partial void LogSinkFailed(ILogger logger, Exception exception);

    private sealed class GuildVoice
    {
        public ulong? RequestedChannelId { get; set; }

        public ulong? ActualChannelId { get; set; }

        public string? SessionId { get; set; }

        public VoiceConnection? Connection { get; set; }

        public CancellationTokenSource? Stop { get; set; }

        public Task? Run { get; set; }

        public string? LastEnd { get; set; }
    }
}
