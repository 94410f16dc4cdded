using System.Net;
using System.Net.Sockets;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Storage.Tests.Redis;

public sealed class RedisConnectionTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private RedisConnection _connection = null!;

    public Task InitializeAsync()
    {
        _connection = Connect(new RedisOptions { ConnectionString = redis.Server.ConnectionString });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Negotiates_resp3_and_answers_ping()
    {
        Assert.Equal("PONG", await _connection.PingAsync());
        Assert.Equal(RedisProtocol.Resp3, _connection.NegotiatedProtocol);
    }

    [Fact]
    public async Task Get_and_set_honour_nx_and_expiry()
    {
        var key = Key();
        Assert.Null(await _connection.GetAsync(key));
        Assert.True(await _connection.SetAsync(key, "one", onlyIfAbsent: true));
        Assert.False(await _connection.SetAsync(key, "two", onlyIfAbsent: true));
        Assert.Equal("one", await _connection.GetAsync(key));
        Assert.True(await _connection.SetAsync(key, "three", expiry: TimeSpan.FromMinutes(1)));
        var ttl = (await _connection.ExecuteAsync(new RedisCommand("PTTL", key))).AsInt64();
        Assert.InRange(ttl, 1, 60_000);
        Assert.True(await _connection.ExpireAsync(key, TimeSpan.FromSeconds(5)));
        Assert.Equal(1, await _connection.DelAsync([key]));
        Assert.Null(await _connection.GetAsync(key));
    }

    [Fact]
    public async Task Binary_values_round_trip_unchanged()
    {
        var key = Key();
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await _connection.SetAsync(key, value);
        var reply = await _connection.ExecuteAsync(new RedisCommand("GET", key));
        Assert.Equal(value, reply.AsBytes());
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task Hash_commands_read_alike_over_both_protocols(RedisProtocol protocol)
    {
        await using var connection = Connect(new RedisOptions { ConnectionString = redis.Server.ConnectionString, Protocol = protocol });
        var key = Key();
        Assert.Equal(2, await connection.HSetAsync(key, [new("a", "1"), new("b", "two")]));
        Assert.Equal("two", await connection.HGetAsync(key, "b"));
        Assert.Null(await connection.HGetAsync(key, "missing"));
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "1", ["b"] = "two" }, await connection.HGetAllAsync(key));
        Assert.Equal(1, await connection.HDelAsync(key, ["a"]));
        Assert.Empty(await connection.HGetAllAsync(Key()));
        Assert.Equal(protocol, connection.NegotiatedProtocol);
    }

    [Fact]
    public async Task Server_errors_carry_the_server_text()
    {
        var key = Key();
        await _connection.HSetAsync(key, [new("f", "v")]);
        var error = await Assert.ThrowsAsync<RedisServerException>(() => _connection.GetAsync(key));
        Assert.Equal("WRONGTYPE", error.ErrorCode);
        Assert.Contains("wrong kind of value", error.ServerMessage, StringComparison.Ordinal);

        // The connection stays usable after an error reply.
        Assert.Equal("PONG", await _connection.PingAsync());
    }

    [Fact]
    public async Task Scripts_run_by_digest_and_info_parses()
    {
        var sha = await _connection.ScriptLoadAsync("return {KEYS[1], ARGV[1]}");
        var reply = await _connection.EvalShaAsync(sha, ["k"], ["v"]);
        Assert.Equal(["k", "v"], reply.Items.Select(i => i.AsString()));
        var info = await _connection.InfoAsync("server");
        Assert.StartsWith("7.", info["redis_version"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_callers_share_one_pipelined_connection()
    {
        var key = Key();
        var replies = await Task.WhenAll(Enumerable.Range(0, 2000).Select(_ => Task.Run(() => _connection.ExecuteAsync(new RedisCommand("INCR", key)))));
        var values = replies.Select(r => r.AsInt64()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), values);
    }

    [Fact]
    public async Task Each_caller_gets_its_own_reply_when_pipelined()
    {
        var keys = Enumerable.Range(0, 300).Select(i => (Key: Key(), Value: $"value-{i}")).ToList();
        await Task.WhenAll(keys.Select(k => _connection.SetAsync(k.Key, k.Value)));
        var values = await Task.WhenAll(keys.Select(k => _connection.GetAsync(k.Key)));
        Assert.Equal(keys.Select(k => k.Value), values);
    }

    [Fact]
    public async Task Select_isolates_databases()
    {
        await using var db3 = Connect(new RedisOptions { ConnectionString = redis.Server.ConnectionString + ",database=3" });
        var key = Key();
        await db3.SetAsync(key, "in-3");
        Assert.Equal("in-3", await db3.GetAsync(key));
        Assert.Null(await _connection.GetAsync(key));
    }

    [Fact]
    public async Task Acl_user_authenticates_and_a_wrong_password_is_a_clear_connection_error()
    {
        var user = "u" + Guid.NewGuid().ToString("N")[..8];
        await _connection.ExecuteAsync(new RedisCommand("ACL", "SETUSER", user, "on", ">pw-" + user, "~*", "+@all"));
        await using var asUser = Connect(new RedisOptions { Host = redis.Server.Host, Port = redis.Server.Port, User = user, Password = "pw-" + user });
        Assert.Equal(user, (await asUser.ExecuteAsync(new RedisCommand("ACL", "WHOAMI"))).AsString());

        await using var wrong = Connect(new RedisOptions { Host = redis.Server.Host, Port = redis.Server.Port, User = user, Password = "nope-secret" });
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.PingAsync());
        Assert.Contains("WRONGPASS", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nope-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_waiting_command_throws_and_leaves_the_connection_usable()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _connection.ExecuteAsync(new RedisCommand("PING"), cancelled.Token));
        Assert.Equal("PONG", await _connection.PingAsync());
    }

    [Fact]
    public async Task Reconnects_after_the_server_restarts_and_rejoins_its_database()
    {
        await using var server = await RedisServer.StartAsync(new RedisServerSettings { Password = "restart-secret" });
        await using var connection = Connect(new RedisOptions { ConnectionString = server.ConnectionString + ",database=2" });
        await connection.SetAsync("before", "1");

        await server.RestartAsync();

        // The first command after the drop may fail with the dropped socket; the next one reconnects (AUTH + SELECT).
        try
        {
            await connection.PingAsync();
        }
        catch (RedisConnectionException)
        {
        }

        await connection.SetAsync("after", "2");
        Assert.Equal("2", await connection.GetAsync("after"));
        Assert.Equal(2, (await connection.ExecuteAsync(new RedisCommand("CLIENT", "INFO"))).AsString()!
            .Split(' ').Where(p => p.StartsWith("db=", StringComparison.Ordinal)).Select(p => int.Parse(p[3..], System.Globalization.CultureInfo.InvariantCulture)).Single());
    }

    [Fact]
    public async Task Failed_connects_back_off_exponentially_on_the_clock()
    {
        var time = new FakeTimeProvider();
        var deadPort = FreeTcpPort.Next();
        await using var connection = new RedisConnection(
            new RedisOptions { Host = "127.0.0.1", Port = deadPort, MinReconnectDelay = TimeSpan.FromSeconds(1), MaxReconnectDelay = TimeSpan.FromSeconds(4) },
            time);

        var first = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
        Assert.Contains("failed", first.Message, StringComparison.OrdinalIgnoreCase);
        var gated = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
        Assert.Contains("next connection attempt in 1000 ms", gated.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
        gated = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
        Assert.Contains("next connection attempt in 2000 ms", gated.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(4, 800)]
    [InlineData(10, 5000)]
    [InlineData(1000, 5000)]
    public void Reconnect_delay_doubles_up_to_the_cap(int failures, int expectedMs) =>
        Assert.Equal(
            TimeSpan.FromMilliseconds(expectedMs),
            RedisConnection.ReconnectDelay(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)));

    [Fact]
    public async Task A_command_without_reply_times_out_on_the_clock_and_recycles_the_connection()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var time = new FakeTimeProvider();
        await using var connection = new RedisConnection(
            new RedisOptions { Host = "127.0.0.1", Port = ((IPEndPoint)silent.LocalEndpoint).Port, Protocol = RedisProtocol.Resp2, CommandTimeout = TimeSpan.FromSeconds(2) },
            time);
        var accept = silent.AcceptTcpClientAsync();

        var ping = connection.PingAsync();
        using var accepted = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        var received = new byte[64];
        Assert.True(await accepted.GetStream().ReadAsync(received).AsTask().WaitAsync(TimeSpan.FromSeconds(10)) > 0);
        Assert.False(ping.IsCompleted);

        // The command's timer may be armed a moment after its bytes left; step the clock until it fires.
        var deadline = TimeProvider.System.GetTimestamp() + (TimeProvider.System.TimestampFrequency * 10);
        while (!ping.IsCompleted && TimeProvider.System.GetTimestamp() < deadline)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(ping, Task.Delay(10));
        }

        var error = await Assert.ThrowsAsync<RedisTimeoutException>(() => ping);
        Assert.Contains("PING", error.Message, StringComparison.Ordinal);
        Assert.False(connection.IsConnected);
    }

    [Fact]
    public async Task A_server_without_hello_gets_auth_and_select_over_resp2()
    {
        using var legacy = new TcpListener(IPAddress.Loopback, 0);
        legacy.Start();
        var seen = new List<string>();
        var server = Task.Run(async () =>
        {
            using var client = await legacy.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                var text = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
                var name = text.Split("\r\n")[2];
                seen.Add(name);
                var reply = name switch
                {
                    "HELLO" => "-ERR unknown command 'HELLO', with args beginning with: '3'\r\n",
                    "PING" => "+PONG\r\n",
                    _ => "+OK\r\n",
                };
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply));
            }
        });

        await using (var connection = Connect(new RedisOptions { Host = "127.0.0.1", Port = ((IPEndPoint)legacy.LocalEndpoint).Port, Password = "pw", Database = 5 }))
        {
            Assert.Equal("PONG", await connection.PingAsync());
            Assert.Equal(RedisProtocol.Resp2, connection.NegotiatedProtocol);
        }

        await server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["HELLO", "AUTH", "SELECT", "PING"], seen);
    }

    [Fact]
    public async Task Garbage_from_the_server_fails_pending_commands_with_a_connection_error()
    {
        using var liar = new TcpListener(IPAddress.Loopback, 0);
        liar.Start();
        await using var connection = Connect(new RedisOptions { Host = "127.0.0.1", Port = ((IPEndPoint)liar.LocalEndpoint).Port, Protocol = RedisProtocol.Resp2 });
        var accept = liar.AcceptTcpClientAsync();
        var ping = connection.PingAsync();
        using var client = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        await client.GetStream().WriteAsync("@nonsense\r\n"u8.ToArray());

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => ping).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("Malformed RESP", error.Message, StringComparison.Ordinal);
    }

    private static RedisConnection Connect(RedisOptions options) => new(options, TimeProvider.System);

    private static string Key() => "test:" + Guid.NewGuid().ToString("N");
}
