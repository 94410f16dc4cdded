using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>
/// The Redis runtime's server: the one given with <c>--redis</c>, or a private <c>redis-server</c> on a free loopback
/// port with nothing persisted, started for the replay and stopped after it. Emptied before each scenario run.
/// </summary>
internal sealed class ReplayRedis : IAsyncDisposable
{
    private readonly Process? _server;
    private readonly ConnectionMultiplexer _admin;

    private ReplayRedis(string endpoint, Process? server, ConnectionMultiplexer admin)
    {
        Endpoint = endpoint;
        _server = server;
        _admin = admin;
    }

    /// <summary>host:port</summary>
    public string Endpoint { get; }

    public static async Task<ReplayRedis> StartAsync(string? existing, CancellationToken cancellationToken)
    {
        Process? server = null;
        var endpoint = existing;
        if (endpoint is null)
        {
            var port = FreePort();
            var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", Path.GetTempPath() })
            {
                info.ArgumentList.Add(arg);
            }

            try
            {
                server = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server), and no --redis HOST:PORT was given.");
            }

            endpoint = $"127.0.0.1:{port}";
        }

        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                var admin = await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,abortConnect=true,connectTimeout=1000");
                return new ReplayRedis(endpoint, server, admin);
            }
            catch (RedisConnectionException) when (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(15) && server is { HasExited: false })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
            }
        }
    }

    public async Task FlushAsync()
    {
        foreach (var server in _admin.GetServers())
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
