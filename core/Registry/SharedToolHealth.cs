using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>A tool's health verdict with what the next result builds on (the latency window), as of <see cref="ObservedAt"/>.</summary>
/// <param name="Generation">Results and stale marks applied so far, cluster-wide: orders two observations made in the same millisecond.</param>
public sealed record SharedHealth(ToolHealthSnapshot Snapshot, IReadOnlyList<double> LatencyWindow, long Generation, DateTimeOffset ObservedAt);

/// <summary>A circuit transition (open until, closed) as of <see cref="ObservedAt"/>.</summary>
public sealed record SharedCircuit(CircuitState State, DateTimeOffset OpenUntil, long Generation, DateTimeOffset ObservedAt);

/// <summary>Everything the cluster knows about one tool's liveness.</summary>
public sealed record SharedToolObservations(SharedHealth? Health, DateTimeOffset? HeartbeatAt, SharedCircuit? Circuit);

/// <summary>
/// Health, heartbeats and circuit transitions shared by the processes of a cluster, so a check run on one process ranks
/// the tool on all of them. Each kind is last-writer-by-observation-time: a write older than the stored one is refused,
/// never applied over it. Implementations never throw for an unreachable server: the process then keeps its own view.
/// </summary>
public interface IToolHealthStore
{
    Task PublishHealthAsync(string toolId, SharedHealth health, CancellationToken cancellationToken);

    Task PublishHeartbeatAsync(string toolId, DateTimeOffset at, CancellationToken cancellationToken);

    Task PublishCircuitAsync(string toolId, SharedCircuit circuit, CancellationToken cancellationToken);

    /// <summary>Null when nothing is stored for the tool or the server is unreachable.</summary>
    Task<SharedToolObservations?> LoadAsync(string toolId, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="changed"/> with the tool id whenever any process published an observation of it.</summary>
    Task SubscribeAsync(Func<string, Task> changed, CancellationToken cancellationToken);
}

/// <summary>
/// Redis: one hash per tool, <c>{prefix}{toolId}</c>, fields <c>healthAt</c>/<c>healthGen</c>/<c>health</c> (JSON),
/// <c>heartbeatAt</c>, <c>circuitAt</c>/<c>circuitGen</c>/<c>circuit</c> (JSON); each write is one script that compares
/// the stored time (then generation) and publishes the tool id on the channel <c>{prefix}changed</c>. A hash lives
/// <see cref="TimeToLive"/> after its last write, so a removed tool's observations go away by themselves.
/// </summary>
public sealed partial class RedisToolHealthStore(IConnectionMultiplexer redis, string keyPrefix, ILogger<RedisToolHealthStore> logger) : IToolHealthStore
{
    public const string DefaultKeyPrefix = "dlb:registry:health:";
    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(7);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    // KEYS[1] hash; ARGV: part, at ms, generation, json ('' keeps none), ttl ms, channel, tool id → 1 written | 0 older.
    private const string WriteIfNewer = """
        local at = tonumber(ARGV[2])
        local gen = tonumber(ARGV[3])
        local storedAt = tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. 'At') or '-1')
        local storedGen = tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. 'Gen') or '-1')
        if at < storedAt or (at == storedAt and gen <= storedGen) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1] .. 'At', ARGV[2], ARGV[1] .. 'Gen', ARGV[3])
        if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('PUBLISH', ARGV[6], ARGV[7])
        return 1
        """;

    public string Channel => keyPrefix + "changed";

    public Task PublishHealthAsync(string toolId, SharedHealth health, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(health);
        return WriteAsync(toolId, "health", health.ObservedAt, health.Generation, JsonSerializer.Serialize(health, Json), cancellationToken);
    }

    public Task PublishHeartbeatAsync(string toolId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(toolId, "heartbeat", at, 0, string.Empty, cancellationToken);

    public Task PublishCircuitAsync(string toolId, SharedCircuit circuit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return WriteAsync(toolId, "circuit", circuit.ObservedAt, circuit.Generation, JsonSerializer.Serialize(circuit, Json), cancellationToken);
    }

    public async Task<SharedToolObservations?> LoadAsync(string toolId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        HashEntry[] fields;
        try
        {
            fields = await redis.GetDatabase().HashGetAllAsync(keyPrefix + toolId).ConfigureAwait(false);
        }
        catch (Exception unavailable) when (unavailable is RedisException or RedisTimeoutException)
        {
            LogUnavailable(logger, unavailable, toolId);
            return null;
        }

        if (fields.Length == 0)
        {
            return null;
        }

        var byName = fields.ToDictionary(f => (string)f.Name!, f => f.Value, StringComparer.Ordinal);
        var health = byName.TryGetValue("health", out var h) && !h.IsNullOrEmpty ? JsonSerializer.Deserialize<SharedHealth>((string)h!, Json) : null;
        var circuit = byName.TryGetValue("circuit", out var c) && !c.IsNullOrEmpty ? JsonSerializer.Deserialize<SharedCircuit>((string)c!, Json) : null;
        DateTimeOffset? heartbeat = byName.TryGetValue("heartbeatAt", out var b) && long.TryParse((string?)b, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        return new SharedToolObservations(health, heartbeat, circuit);
    }

    public async Task SubscribeAsync(Func<string, Task> changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel)).ConfigureAwait(false);
        queue.OnMessage(message => changed((string)message.Message!));
    }

    private async Task WriteAsync(string toolId, string part, DateTimeOffset at, long generation, string json, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(
                WriteIfNewer,
                [keyPrefix + toolId],
                [part, at.ToUnixTimeMilliseconds(), generation, json, (long)TimeToLive.TotalMilliseconds, Channel, toolId]).ConfigureAwait(false);
        }
        catch (Exception unavailable) when (unavailable is RedisException or RedisTimeoutException)
        {
            // The other processes keep their own (older) view until Redis is back and the next observation is shared.
            LogUnavailable(logger, unavailable, toolId);
        }
    }

    [LoggerMessage(EventId = 4120, Level = LogLevel.Warning, Message = "Shared registry health is unreachable for tool {ToolId}; this process uses its own observations meanwhile")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string toolId);
}
