using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Storage.Tests.Storage;

public sealed class StorageConfigurationTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public void Parses_the_comma_separated_connection_string()
    {
        var options = new RedisOptions { ConnectionString = "cache.local:6380,user=bot,password=p@ss,word,database=4,protocol=resp2,connectTimeout=1500" };
        var error = Assert.Throws<FormatException>(() => options.Resolve());
        Assert.DoesNotContain("word", error.Message.Replace("password", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        var resolved = new RedisOptions { ConnectionString = "cache.local:6380,user=bot,password=secret,database=4,protocol=resp2,connectTimeout=1500" }.Resolve();
        Assert.Equal(("cache.local", 6380, "bot", "secret", 4, RedisProtocol.Resp2, TimeSpan.FromMilliseconds(1500)),
            (resolved.Host, resolved.Port, resolved.User, resolved.Password, resolved.Database, resolved.Protocol, resolved.ConnectTimeout));
    }

    [Fact]
    public void Parses_the_uri_connection_string()
    {
        var resolved = new RedisOptions { ConnectionString = "redis://bot:s%40cret@10.1.2.3:6390/7" }.Resolve();
        Assert.Equal(("10.1.2.3", 6390, "bot", "s@cret", 7), (resolved.Host, resolved.Port, resolved.User, resolved.Password, resolved.Database));
    }

    [Fact]
    public void Options_text_never_shows_the_password()
    {
        var text = new RedisOptions { Host = "h", Password = "hunter2" }.ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_the_full_key()
    {
        var result = new StorageOptionsValidator(Options.Create(new RedisOptions()))
            .Validate(null, new StorageOptions { Backend = StorageBackendKind.Redis, SnapshotEvery = 0 });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Redis:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Storage:SnapshotEvery", StringComparison.Ordinal));

        var redis = new RedisOptionsValidator().Validate(null, new RedisOptions { ConnectionString = "h:99999" });
        Assert.Contains(redis.Failures!, f => f.Contains("Redis:Port", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StorageBackendKind.Auto, false, StorageBackendKind.File)]
    [InlineData(StorageBackendKind.Auto, true, StorageBackendKind.Redis)]
    [InlineData(StorageBackendKind.Memory, true, StorageBackendKind.Memory)]
    [InlineData(StorageBackendKind.File, true, StorageBackendKind.File)]
    public void Without_redis_the_default_is_the_file_store(StorageBackendKind configured, bool redisConfigured, StorageBackendKind expected) =>
        Assert.Equal(expected, new StorageOptions { Backend = configured }.EffectiveBackend(new RedisOptions { Host = redisConfigured ? "r" : null }));

    [Fact]
    public async Task The_container_hands_out_one_backend_for_every_store_interface()
    {
        var directory = Directory.CreateTempSubdirectory("dlb-di-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new FakeTimeProvider());
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddLedgerStorage();
            services.Configure<StorageOptions>(o => o.DataDirectory = directory);
            await using (var provider = services.BuildServiceProvider())
            {
                var backend = provider.GetRequiredService<IStorageBackend>();
                Assert.Equal("file", backend.Name);
                Assert.Same(backend, provider.GetRequiredService<IOutboxStore>());
                Assert.Same(backend, provider.GetRequiredService<ILedgerCache>());
                Assert.Same(backend, provider.GetRequiredService<IDedupeStore>());
                Assert.Equal("file", provider.GetRequiredService<IStorageStatus>().ActiveBackend);
                Assert.True((await backend.AppendAsync(new OutboxAppend("k", "p", "kind", "{}"))).Created);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task With_redis_configured_the_container_runs_the_failover_store_on_redis()
    {
        var directory = Directory.CreateTempSubdirectory("dlb-di-redis-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddLedgerStorage();
            services.Configure<StorageOptions>(o => (o.DataDirectory, o.RedisKeyPrefix) = (directory, $"di{Guid.NewGuid():N}:"));
            services.Configure<RedisOptions>(o => o.ConnectionString = redis.Server.ConnectionString);
            await using var provider = services.BuildServiceProvider();

            var backend = provider.GetRequiredService<IStorageBackend>();
            Assert.IsType<FailoverStorage>(backend);
            Assert.True((await backend.AppendAsync(new OutboxAppend("k", "p", "kind", "{}"))).Created);
            var status = provider.GetRequiredService<IStorageStatus>();
            Assert.Equal(("redis", false), (status.ActiveBackend, status.IsDegraded));
            Assert.True(provider.GetRequiredService<IRedisConnection>().IsConnected);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("", "p")]
    [InlineData("k", " ")]
    [InlineData("k\n", "p")]
    public void Bad_commands_are_rejected_before_reaching_a_store(string key, string partition) =>
        Assert.ThrowsAny<ArgumentException>(() => new OutboxAppend(key, partition, "kind", "{}"));
}
