using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Testing;
using StackExchange.Redis;

namespace DiscordLedgerBot.Storage.Tests.Redis;

/// <summary>
/// Our configuration of StackExchange.Redis against a real redis-server: ACL login, failing fast while Redis is down
/// (what the failover store relies on), and reconnecting to the same database after a restart. The library's own
/// protocol handling is its maintainers' to test, not ours.
/// </summary>
public sealed class RedisConnectionTests
{
    /// <remarks>
    /// The server's default user needs a password here, as in any deployment: StackExchange.Redis 3.4 goes on as the
    /// default user when an ACL login fails, so against a password-less default user a wrong password would go unnoticed.
    /// </remarks>
    [Fact]
    public async Task Acl_user_authenticates_and_a_wrong_password_never_connects()
    {
        await using var server = await RedisServer.StartAsync(new RedisServerSettings { Password = "default-secret" });
        await using var admin = await ConnectAsync(new RedisOptions { ConnectionString = server.ConnectionString });
        var user = "u" + Guid.NewGuid().ToString("N")[..8];
        await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", user, "on", ">pw-" + user, "~*", "+@all");

        await using var asUser = await ConnectAsync(new RedisOptions { Host = server.Host, Port = server.Port, User = user, Password = "pw-" + user });
        Assert.Equal(user, (string?)await asUser.GetDatabase().ExecuteAsync("ACL", "WHOAMI"));

        await using var wrong = await ConnectAsync(new RedisOptions { Host = server.Host, Port = server.Port, User = user, Password = "nope-secret" });
        Assert.False(wrong.IsConnected);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.GetDatabase().PingAsync());
        Assert.DoesNotContain("nope-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_redis_is_down_commands_fail_at_once_instead_of_queueing()
    {
        await using var down = await ConnectAsync(new RedisOptions { Host = "127.0.0.1", Port = FreeTcpPort.Next(), ConnectTimeout = TimeSpan.FromSeconds(1) });

        // A queued command would end in a RedisTimeoutException after CommandTimeout; failing fast is a connection error.
        await Assert.ThrowsAsync<RedisConnectionException>(() => down.GetDatabase().StringSetAsync("k", "v"));
    }

    [Fact]
    public async Task Reconnects_after_the_server_restarts_and_rejoins_its_database()
    {
        await using var server = await RedisServer.StartAsync(new RedisServerSettings { Password = "restart-secret" });
        await using var connection = await ConnectAsync(new RedisOptions
        {
            ConnectionString = server.ConnectionString + ",defaultDatabase=2",
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
        });
        await connection.GetDatabase().StringSetAsync("before", "1");

        await server.RestartAsync();

        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    return await connection.GetDatabase().StringSetAsync("after", "2");
                }
                catch (RedisConnectionException)
                {
                    return false;
                }
            },
            "the multiplexer reconnects (AUTH and SELECT again) after the restart");
        Assert.Equal("2", (string?)await connection.GetDatabase(2).StringGetAsync("after"));
        Assert.True((await connection.GetDatabase(0).StringGetAsync("after")).IsNull);
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisOptions options) =>
        await ConnectionMultiplexer.ConnectAsync(options.ToConfigurationOptions());
}
