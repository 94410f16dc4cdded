using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>
/// The one shared, multiplexed Redis connection. Any number of callers may execute concurrently: their commands are
/// pipelined on a single socket and replies matched in order. The connection is opened on first use and re-opened on
/// demand after a drop; failed attempts are spaced by exponential backoff (measured on <see cref="TimeProvider"/>),
/// and while waiting commands fail fast with <see cref="RedisConnectionException"/> so callers can fail over.
/// Every (re)connect runs the handshake: HELLO 3 (when allowed, falling back to RESP2), AUTH and SELECT.
/// </summary>
public sealed partial class RedisConnection : IRedisConnection, IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private RedisSession? _session;
    private int _consecutiveFailures;
    private DateTimeOffset _nextAttemptAt = DateTimeOffset.MinValue;
    private Exception? _lastFailure;
    private bool _disposed;

    public RedisConnection(RedisOptions options, TimeProvider time, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Resolve();
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? NullLogger<RedisConnection>.Instance;
        if (string.IsNullOrWhiteSpace(_options.Host))
        {
            throw new ArgumentException("Redis:Host (or Redis:ConnectionString) is required.", nameof(options));
        }
    }

    public bool IsConnected => _session is { IsAlive: true };

    /// <summary>The protocol the current connection negotiated (RESP2 until a HELLO 3 succeeds).</summary>
    public RedisProtocol NegotiatedProtocol { get; private set; } = RedisProtocol.Resp2;

    public string Endpoint => _options.Endpoint;

    /// <summary>Delay before the next attempt after <paramref name="consecutiveFailures"/> failed ones: min·2^(n−1), capped.</summary>
    public static TimeSpan ReconnectDelay(int consecutiveFailures, TimeSpan min, TimeSpan max)
    {
        if (consecutiveFailures <= 0)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(consecutiveFailures - 1, 30);
        var ticks = min.Ticks * (double)(1L << exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    public async Task<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var session = _session;
        if (session is null || !session.IsAlive)
        {
            session = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        return await session.SendAsync(command, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var session = Interlocked.Exchange(ref _session, null);
        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _connectGate.Dispose();
    }

    private async Task<RedisSession> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is { IsAlive: true } live)
            {
                return live;
            }

            var now = _time.GetUtcNow();
            if (now < _nextAttemptAt)
            {
                throw new RedisConnectionException(
                    $"Redis at {Endpoint} is unreachable ({_lastFailure?.Message}); next connection attempt in {(_nextAttemptAt - now).TotalMilliseconds:0} ms.",
                    _lastFailure);
            }

            try
            {
                var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
                _session = session;
                if (_consecutiveFailures > 0)
                {
                    LogReconnected(_logger, Endpoint, _consecutiveFailures);
                }

                _consecutiveFailures = 0;
                _lastFailure = null;
                return session;
            }
            catch (Exception ex) when (ex is RedisException or SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                _consecutiveFailures++;
                var delay = ReconnectDelay(_consecutiveFailures, _options.MinReconnectDelay, _options.MaxReconnectDelay);
                _nextAttemptAt = now + delay;
                var failure = ex switch
                {
                    RedisConnectionException connection => connection,
                    OperationCanceledException => new RedisConnectionException($"Connecting to Redis at {Endpoint} timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms."),
                    RedisServerException server => new RedisConnectionException($"The Redis handshake with {Endpoint} was refused: {server.ServerMessage}", server),
                    _ => new RedisConnectionException($"Connecting to Redis at {Endpoint} failed: {ex.Message}", ex),
                };
                _lastFailure = failure;
                LogConnectFailed(_logger, Endpoint, _consecutiveFailures, (long)delay.TotalMilliseconds, failure.Message);
                throw failure;
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task<RedisSession> OpenAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisSession? session = null;
        try
        {
            await socket.ConnectAsync(_options.Host!, _options.Port, linked.Token).ConfigureAwait(false);
            session = new RedisSession(socket, Endpoint, _time, OnSessionFaulted);
            session.Start();
            NegotiatedProtocol = await HandshakeAsync(session, linked.Token).ConfigureAwait(false);
            LogConnected(_logger, Endpoint, _options.Database, NegotiatedProtocol);
            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    private async Task<RedisProtocol> HandshakeAsync(RedisSession session, CancellationToken cancellationToken)
    {
        var protocol = RedisProtocol.Resp2;
        var authenticated = false;
        if (_options.Protocol != RedisProtocol.Resp2)
        {
            List<RedisArgument> hello = ["3"];
            if (!string.IsNullOrEmpty(_options.Password))
            {
                hello.AddRange(["AUTH", _options.User ?? "default", _options.Password]);
            }

            try
            {
                await session.SendAsync(new RedisCommand("HELLO", [.. hello]), _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                protocol = RedisProtocol.Resp3;
                authenticated = true;
            }
            catch (RedisServerException ex) when (_options.Protocol == RedisProtocol.Auto && IsHelloUnsupported(ex))
            {
                LogFallbackToResp2(_logger, Endpoint, ex.ErrorCode);
            }
        }

        if (!authenticated && !string.IsNullOrEmpty(_options.Password))
        {
            RedisArgument[] auth = _options.User is null ? [_options.Password] : [_options.User, _options.Password];
            await session.SendAsync(new RedisCommand("AUTH", auth), _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }

        if (_options.Database != 0)
        {
            await session.SendAsync(new RedisCommand("SELECT", _options.Database), _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }

        return protocol;
    }

    private static bool IsHelloUnsupported(RedisServerException ex) =>
        ex.ErrorCode == "NOPROTO" || ex.ServerMessage.Contains("unknown command", StringComparison.OrdinalIgnoreCase);

    private void OnSessionFaulted(RedisSession session, Exception reason)
    {
        if (Interlocked.CompareExchange(ref _session, null, session) == session && !_disposed)
        {
            LogConnectionLost(_logger, session.Endpoint, reason.Message);
        }
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint} (database {Database}, {Protocol})")]
    private static partial void LogConnected(ILogger logger, string endpoint, int database, RedisProtocol protocol);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Lost the Redis connection to {Endpoint}: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Connecting to Redis at {Endpoint} failed ({Failures} in a row); next attempt in {DelayMs} ms: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string endpoint, int failures, long delayMs, string reason);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Reconnected to Redis at {Endpoint} after {Failures} failed attempts")]
    private static partial void LogReconnected(ILogger logger, string endpoint, int failures);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "Redis at {Endpoint} refused HELLO 3 ({Code}); using RESP2")]
    private static partial void LogFallbackToResp2(ILogger logger, string endpoint, string code);
}
