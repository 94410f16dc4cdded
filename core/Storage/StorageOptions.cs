using DiscordLedgerBot.Core.Redis;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Storage;

public enum StorageBackendKind
{
    /// <summary>Redis (with the file store as fallback) when Redis is configured, else the file store.</summary>
    Auto,
    File,
    Redis,
    Memory,
}

/// <summary>Section "Storage".</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>file | redis | memory; unset picks redis when Redis is configured, else file.</summary>
    public StorageBackendKind Backend { get; set; } = StorageBackendKind.Auto;

    /// <summary>Where the file store (and the Redis fallback) keeps its journal, snapshot and lock file.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Journal records between snapshots (each snapshot compacts the journal).</summary>
    public int SnapshotEvery { get; set; } = 10_000;

    /// <summary>Start even when the journal is corrupt in the middle, keeping only what precedes the corruption.</summary>
    public bool RepairCorruptJournal { get; set; }

    public string RedisKeyPrefix { get; set; } = "dlb:";

    /// <summary>How often the failover store checks whether Redis is back.</summary>
    public TimeSpan FailoverProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long confirmed records are kept before <see cref="IOutboxStore.PurgeConfirmedAsync"/> may delete them.</summary>
    public TimeSpan ConfirmedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The backend actually used once Auto is resolved against the Redis settings.</summary>
    public StorageBackendKind EffectiveBackend(RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        return Backend != StorageBackendKind.Auto ? Backend : redis.IsConfigured ? StorageBackendKind.Redis : StorageBackendKind.File;
    }
}

public sealed class StorageOptionsValidator(IOptions<RedisOptions> redis) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Backend))
        {
            failures.Add("Storage:Backend must be file, redis or memory (env Storage__Backend).");
        }

        var backend = options.EffectiveBackend(redis.Value);
        if (backend == StorageBackendKind.Redis && !redis.Value.IsConfigured)
        {
            failures.Add("Storage:Backend is redis but Redis:ConnectionString or Redis:Host is not set (env Redis__ConnectionString).");
        }

        if (backend is StorageBackendKind.File or StorageBackendKind.Redis && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Storage:DataDirectory is required for the file store and the Redis fallback (env Storage__DataDirectory).");
        }

        if (options.SnapshotEvery < 1)
        {
            failures.Add("Storage:SnapshotEvery must be at least 1 (env Storage__SnapshotEvery).");
        }

        if (options.FailoverProbeInterval <= TimeSpan.Zero)
        {
            failures.Add("Storage:FailoverProbeInterval must be positive (env Storage__FailoverProbeInterval).");
        }

        if (options.ConfirmedRetention < TimeSpan.Zero)
        {
            failures.Add("Storage:ConfirmedRetention must not be negative (env Storage__ConfirmedRetention).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
