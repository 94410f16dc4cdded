using System.Net.WebSockets;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// One WebSocket connection of a session: serialized sends behind the 120/60 s limiter, and the heartbeat ACK state
/// that exposes a zombie connection.
/// </summary>
internal sealed class GatewayConnection(ClientWebSocket socket, GatewaySendLimiter limiter, TimeProvider timeProvider) : IDisposable
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _ended = new();
    private bool _awaitingAck;

    public GatewaySendLimiter Limiter => limiter;

    /// <summary>We closed because no ACK came between two heartbeats; the session stays resumable.</summary>
    public bool IsZombie { get; private set; }

    /// <summary>We closed with 1000 because the host is stopping.</summary>
    public bool IsStopping { get; private set; }

    public void MarkAcknowledged() => Volatile.Write(ref _awaitingAck, false);

    /// <summary>Starts a regular beat; false when the previous one was never acknowledged (zombie).</summary>
    public bool TryBeginBeat()
    {
        if (Volatile.Read(ref _awaitingAck))
        {
            return false;
        }

        Volatile.Write(ref _awaitingAck, true);
        return true;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> payload, bool isHeartbeat, CancellationToken cancellationToken)
    {
        await limiter.WaitAsync(isHeartbeat, cancellationToken);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task CloseAsZombieAsync()
    {
        IsZombie = true;
        return CloseThenAbortAsync((WebSocketCloseStatus)4000, "heartbeat not acknowledged");
    }

    public Task StopAsync()
    {
        IsStopping = true;
        return CloseThenAbortAsync(WebSocketCloseStatus.NormalClosure, "shutting down");
    }

    /// <summary>
    /// Any code other than 1000/1001 keeps the session resumable. We do not wait for the server's echo: the next
    /// connection matters more than a tidy handshake with a server that asked us to go.
    /// </summary>
    public async Task CloseForReconnectAsync()
    {
        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout, timeProvider);
        await TrySendCloseAsync((WebSocketCloseStatus)4000, "reconnecting", timeout.Token);
    }

    /// <summary>The receive loop is done with this connection: a pending close-then-abort may abort right away.</summary>
    public void MarkEnded() => _ended.Cancel();

    public void Dispose()
    {
        _ended.Cancel();
        _sendLock.Dispose();
        _ended.Dispose();
    }

    private async Task CloseThenAbortAsync(WebSocketCloseStatus status, string reason)
    {
        CancellationToken ended;
        try
        {
            ended = _ended.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ended);
        await TrySendCloseAsync(status, reason, linked.Token);
        try
        {
            // Give the server the close-handshake timeout to echo (the receive loop then ends normally), then cut the socket.
            await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, linked.Token);
        }
        catch (OperationCanceledException)
        {
            // Timed out or the receive loop already ended: either way the socket goes.
        }

        socket.Abort();
    }

    private async Task TrySendCloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(status, reason, cancellationToken);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already broken or too slow: the caller aborts or drops the socket anyway.
        }
    }
}
