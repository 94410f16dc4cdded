using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiscordLedgerBot.Storage.Tests.Storage;

public sealed class StorageConfigurationTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public void The_connection_string_is_stackexchange_redis_syntax_with_our_failover_settings_on_top()
    {
        var configuration = new RedisOptions
        {
            ConnectionString = "cache.local:6380,user=bot,password=secret,ssl=true,defaultDatabase=4,connectTimeout=1500,abortConnect=true",
            MinReconnectDelay = TimeSpan.FromMilliseconds(200),
        }.ToConfigurationOptions();

        Assert.EndsWith("cache.local:6380", Assert.Single(configuration.EndPoints).ToString(), StringComparison.Ordinal);
        Assert.Equal(("bot", "secret", true, 4, 1500), (configuration.User, configuration.Password, configuration.Ssl, configuration.DefaultDatabase, configuration.ConnectTimeout));
        Assert.False(configuration.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, configuration.BacklogPolicy);
        Assert.IsType<ExponentialRetry>(configuration.ReconnectRetryPolicy);
    }

    [Fact]
    public void The_individual_keys_describe_the_server_when_there_is_no_connection_string()
    {
        var configuration = new RedisOptions { Host = "10.1.2.3", Port = 6390, User = "bot", Password = "s@cret", Database = 7, UseTls = true }.ToConfigurationOptions();
        Assert.Equal(("bot", "s@cret", 7, true), (configuration.User, configuration.Password, configuration.DefaultDatabase, configuration.Ssl));
        Assert.Contains("6390", Assert.Single(configuration.EndPoints).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("h:6379,password=hunter2")]
    public void Options_text_never_shows_the_password(string? connectionString)
    {
        var text = new RedisOptions { ConnectionString = connectionString, Host = "h", Password = "hunter2" }.ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_the_full_key()
    {
        var result = new StorageOptionsValidator(Options.Create(new RedisOptions()))
            .Validate(null, new StorageOptions { Backend = StorageBackendKind.Redis, SnapshotEvery = 0 });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Redis:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Storage:SnapshotEvery", StringComparison.Ordinal));

        var redis = new RedisOptionsValidator().Validate(null, new RedisOptions { Host = "h", Port = 99999 });
        Assert.Contains(redis.Failures!, f => f.Contains("Redis:Port", StringComparison.Ordinal));

        var unknown = new RedisOptionsValidator().Validate(null, new RedisOptions { ConnectionString = "h:6379,pasword=hunter2" });
        Assert.Contains(unknown.Failures!, f => f.Contains("Redis:ConnectionString", StringComparison.Ordinal));
        Assert.DoesNotContain(unknown.Failures!, f => f.Contains("hunter2", StringComparison.Ordinal));

        // A redis:// URI would be taken for a host name and fail only at the first connect; refused at start instead.
        var uri = new RedisOptionsValidator().Validate(null, new RedisOptions { ConnectionString = "redis://:hunter2@cache:6379/0" });
        Assert.Contains(uri.Failures!, f => f.Contains("not a redis:// URI", StringComparison.Ordinal));
        Assert.DoesNotContain(uri.Failures!, f => f.Contains("hunter2", StringComparison.Ordinal));
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
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(TestTime.Start));
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
            Assert.True(provider.GetRequiredService<IConnectionMultiplexer>().IsConnected);
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
