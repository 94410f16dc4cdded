using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>
/// One TCP connection: a writer loop that drains every queued command into one socket write (pipelining), and
/// a reader loop that parses replies and completes waiting commands strictly in send order. Once faulted it stays
/// faulted; <see cref="RedisConnection"/> opens a new one.
/// </summary>
internal sealed class RedisSession : IAsyncDisposable
{
    private const int MaxWriteBatchBytes = 64 * 1024;
    private const int InitialReadBufferBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly Action<RedisSession, Exception> _onFaulted;
    private readonly Channel<PendingCommand> _outgoing = Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<PendingCommand> _awaitingReply = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly object _gate = new();
    private Exception? _fault;
    private Task _writer = Task.CompletedTask;
    private Task _reader = Task.CompletedTask;

    public RedisSession(Socket socket, string endpoint, TimeProvider time, Action<RedisSession, Exception> onFaulted)
    {
        _socket = socket;
        Endpoint = endpoint;
        _time = time;
        _onFaulted = onFaulted;
    }

    public string Endpoint { get; }

    public bool IsAlive => Volatile.Read(ref _fault) is null;

    public void Start()
    {
        _writer = Task.Run(WriteLoopAsync);
        _reader = Task.Run(ReadLoopAsync);
    }

    public async Task<RedisReply> SendAsync(RedisCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new PendingCommand(command);
        if (!_outgoing.Writer.TryWrite(pending))
        {
            throw ConnectionLost(Volatile.Read(ref _fault));
        }

        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await pending.Completion.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var timedOut = new RedisTimeoutException(
                $"Redis command {command.Name} to {Endpoint} got no reply within {timeout.TotalMilliseconds:0} ms.");
            if (pending.Abandon())
            {
                // It is on the wire: the reply stream can no longer be trusted to be timely, so recycle the connection.
                Fault(timedOut);
            }

            throw timedOut;
        }
        catch (OperationCanceledException)
        {
            // A command cancelled before the writer took it is never sent; one already sent has its reply discarded.
            pending.Abandon();
            throw;
        }
    }

    public void Fault(Exception reason)
    {
        List<PendingCommand> orphans;
        lock (_gate)
        {
            if (_fault is not null)
            {
                return;
            }

            Volatile.Write(ref _fault, reason);
            orphans = [.. _awaitingReply];
            _awaitingReply.Clear();
        }

        _outgoing.Writer.TryComplete();
        while (_outgoing.Reader.TryRead(out var queued))
        {
            orphans.Add(queued);
        }

        var failure = ConnectionLost(reason);
        foreach (var orphan in orphans)
        {
            orphan.Fail(failure);
        }

        _shutdown.Cancel();
        _socket.Dispose();
        _onFaulted(this, reason);
    }

    public async ValueTask DisposeAsync()
    {
        Fault(new RedisConnectionException($"The connection to {Endpoint} was closed by this client."));
        await Task.WhenAll(_writer, _reader).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private RedisConnectionException ConnectionLost(Exception? reason) => reason switch
    {
        RedisConnectionException connection => connection,
        null => new RedisConnectionException($"The connection to {Endpoint} is closed."),
        _ => new RedisConnectionException($"The connection to {Endpoint} was lost: {reason.Message}", reason),
    };

    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(MaxWriteBatchBytes);
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(_shutdown.Token).ConfigureAwait(false))
            {
                buffer.ResetWrittenCount();
                while (buffer.WrittenCount < MaxWriteBatchBytes && _outgoing.Reader.TryRead(out var pending))
                {
                    if (!pending.MarkSent())
                    {
                        continue;
                    }

                    RespWriter.WriteCommand(buffer, pending.Command);
                    lock (_gate)
                    {
                        if (_fault is not null)
                        {
                            pending.Fail(ConnectionLost(_fault));
                            continue;
                        }

                        // Registered before the bytes leave, so the reader can never see a reply without its command.
                        _awaitingReply.Enqueue(pending);
                    }
                }

                var remaining = buffer.WrittenMemory;
                while (!remaining.IsEmpty)
                {
                    var sent = await _socket.SendAsync(remaining, SocketFlags.None, _shutdown.Token).ConfigureAwait(false);
                    remaining = remaining[sent..];
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Fault(new RedisConnectionException($"Writing to {Endpoint} failed: {ex.Message}", ex));
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[InitialReadBufferBytes];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref buffer, checked(buffer.Length * 2));
                    }
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _shutdown.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    Fault(new RedisConnectionException($"{Endpoint} closed the connection."));
                    return;
                }

                end += read;
                while (start < end && RespParser.TryParse(buffer.AsSpan(start, end - start), out var reply, out var consumed))
                {
                    start += consumed;
                    Dispatch(reply!);
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (RedisProtocolException ex)
        {
            Fault(ex);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Fault(new RedisConnectionException($"Reading from {Endpoint} failed: {ex.Message}", ex));
        }
    }

    private void Dispatch(RedisReply reply)
    {
        // Out-of-band RESP3 pushes (client tracking, pub/sub) are not replies to anything we sent.
        if (reply.Kind == RedisReplyKind.Push)
        {
            return;
        }

        PendingCommand? pending;
        lock (_gate)
        {
            _awaitingReply.TryDequeue(out pending);
        }

        if (pending is null)
        {
            throw new RedisProtocolException($"{Endpoint} sent a reply ({reply.Kind}) with no command waiting for it.");
        }

        if (reply.IsError)
        {
            pending.Fail(new RedisServerException(reply.AsString() ?? string.Empty));
        }
        else
        {
            pending.Complete(reply);
        }
    }

    private sealed class PendingCommand(RedisCommand command)
    {
        private const int Queued = 0;
        private const int Sent = 1;
        private const int Abandoned = 2;

        private readonly TaskCompletionSource<RedisReply> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public RedisCommand Command { get; } = command;

        public Task<RedisReply> Completion => _completion.Task;

        /// <summary>Returns false when the caller gave up before the command was written, so it is skipped.</summary>
        public bool MarkSent() => Interlocked.CompareExchange(ref _state, Sent, Queued) == Queued;

        /// <summary>Returns true when the command had already been sent (its reply will still arrive and be dropped).</summary>
        public bool Abandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Sent;

        public void Complete(RedisReply reply) => _completion.TrySetResult(reply);

        public void Fail(Exception error) => _completion.TrySetException(error);
    }
}
