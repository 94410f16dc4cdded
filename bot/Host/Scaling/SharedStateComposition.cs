using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiscordLedgerBot.Scaling;

/// <summary>
/// State several bot processes must share to behave as one bot. With the Redis storage backend it lives in Redis
/// (identify turns); with the memory or file store the process is alone and keeps it in memory, as before.
/// </summary>
public static class SharedStateComposition
{
    /// <summary>Registers the shared-state services; call before <c>AddDiscordClient</c>, whose TryAdds then keep these.</summary>
    public static IServiceCollection AddSharedClusterState(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new IdentifyGate(
            sp.GetRequiredService<TimeProvider>(),
            UsesRedis(sp)
                ? new RedisIdentifyLease(
                    sp.GetRequiredService<IConnectionMultiplexer>(),
                    sp.GetRequiredService<IOptions<StorageOptions>>().Value.RedisKeyPrefix,
                    sp.GetRequiredService<IOptions<DiscordOptions>>().Value.ApplicationId,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<RedisIdentifyLease>>())
                : null));
        return services;
    }

    /// <summary>True when the outbox and caches live in Redis: the processes that share them are one bot.</summary>
    public static bool UsesRedis(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<IOptions<StorageOptions>>().Value.EffectiveBackend(services.GetRequiredService<IOptions<RedisOptions>>().Value) == StorageBackendKind.Redis;
    }
}
