using System.Text.Json;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// The gateway when <c>Discord:Shards</c> is set: one <see cref="DiscordGatewayClient"/> per shard this process owns,
/// all feeding the same event handlers, identifying in the order <see cref="IdentifyGate"/> allows (buckets of
/// <c>shard_id % max_concurrency</c>, 5 s apart). Voice state goes out on the shard that carries the guild.
/// A fatal close on any shard stops all of them: the configuration is wrong for every shard alike.
/// </summary>
public sealed partial class DiscordShardManager(
    IDiscordRest rest,
    IOptionsMonitor<DiscordOptions> options,
    GatewayEventDispatcher dispatcher,
    TimeProvider time,
    IdentifyGate identifyGate,
    ILoggerFactory loggers) : IDiscordGateway
{
    private static readonly IReadOnlyDictionary<string, string> NoRouteValues = new Dictionary<string, string>();
    private readonly ILogger _logger = loggers.CreateLogger<DiscordShardManager>();
    private volatile IReadOnlyList<DiscordGatewayClient> _shards = [];

    /// <summary>The running shards (empty before <see cref="RunAsync"/> resolved them).</summary>
    public IReadOnlyList<DiscordGatewayClient> Shards => _shards;

    /// <summary>Ready when every owned shard is; otherwise the least advanced shard's status.</summary>
    public GatewayStatus Status
    {
        get
        {
            var shards = _shards;
            return shards.Count == 0 ? GatewayStatus.Disconnected
                : shards.All(s => s.Status == GatewayStatus.Ready) ? GatewayStatus.Ready
                : shards.Select(s => s.Status).First(s => s != GatewayStatus.Ready);
        }
    }

    /// <summary>The first ready shard's session: the bot user and application are the same on every shard.</summary>
    public GatewaySession? Session => _shards.Select(s => s.Session).FirstOrDefault(s => s is not null);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var range = ShardRange.TryParse(options.CurrentValue.Shards, out var parsed) && parsed is not null
            ? parsed
            : throw new GatewayFatalException($"Discord:Shards '{options.CurrentValue.Shards}' is not a shard range.");
        var recommended = range.IsAuto ? await RecommendedShardsAsync(cancellationToken) : 0;
        var owned = range.Resolve(recommended);
        var logger = loggers.CreateLogger<DiscordGatewayClient>();
        var shards = owned.Select(shard => new DiscordGatewayClient(rest, options, dispatcher, time, logger, random: null, identifyGate, shard)).ToList();
        _shards = shards;
        LogStarting(_logger, shards.Count, string.Join(", ", owned.Select(s => s.Id)), owned[0].Count);

        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = shards.Select(shard => RunShardAsync(shard, stopAll)).ToList();
        await Task.WhenAll(running);
    }

    public Task UpdateVoiceStateAsync(string guildId, string? channelId, bool selfMute, bool selfDeaf, CancellationToken cancellationToken)
    {
        var shards = _shards;
        if (shards.Count == 0)
        {
            throw new InvalidOperationException("The gateway shards are not started yet.");
        }

        var id = GatewayShard.ForGuild(guildId, shards[0].Shard.Count);
        var shard = shards.FirstOrDefault(s => s.Shard.Id == id)
            ?? throw new InvalidOperationException($"Guild {guildId} is on shard {id} of {shards[0].Shard.Count}, which this process does not run (Discord:Shards={options.CurrentValue.Shards}).");
        return shard.UpdateVoiceStateAsync(guildId, channelId, selfMute, selfDeaf, cancellationToken);
    }

    private static async Task RunShardAsync(DiscordGatewayClient shard, CancellationTokenSource stopAll)
    {
        try
        {
            await shard.RunAsync(stopAll.Token);
        }
        catch (GatewayFatalException)
        {
            await stopAll.CancelAsync();
            throw;
        }
    }

    private async Task<int> RecommendedShardsAsync(CancellationToken cancellationToken)
    {
        var response = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Get, "/gateway/bot", NoRouteValues), cancellationToken)
            ?? throw new JsonException("GET /gateway/bot returned no body.");
        return response.TryGetProperty("shards", out var shards) && shards.TryGetInt32(out var count) && count >= 1
            ? count
            : throw new JsonException("GET /gateway/bot returned no 'shards' count.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting {Count} gateway shard(s): {Ids} of {Total}")]
    private static partial void LogStarting(ILogger logger, int count, string ids, int total);
}
