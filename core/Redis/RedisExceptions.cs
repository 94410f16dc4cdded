namespace DiscordLedgerBot.Core.Redis;

/// <summary>Base of every failure the RESP client reports.</summary>
public class RedisException : Exception
{
    public RedisException(string message)
        : base(message)
    {
    }

    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The server answered with an error reply; <see cref="ServerMessage"/> is its text verbatim.</summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException(string serverMessage)
        : base($"Redis replied with an error: {serverMessage}")
    {
        ServerMessage = serverMessage;
        var space = serverMessage.IndexOf(' ', StringComparison.Ordinal);
        ErrorCode = space > 0 ? serverMessage[..space] : serverMessage;
    }

    public string ServerMessage { get; }

    /// <summary>The leading upper-case word (ERR, WRONGTYPE, NOSCRIPT, WRONGPASS, NOAUTH…).</summary>
    public string ErrorCode { get; }
}

/// <summary>Redis could not be reached, the connection dropped, or the handshake (AUTH/SELECT) failed.</summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>A command got no reply within its timeout. The connection it was sent on is recycled.</summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException(string message)
        : base(message)
    {
    }
}

/// <summary>The bytes received are not valid RESP; the connection they came on is unusable.</summary>
public sealed class RedisProtocolException : RedisException
{
    public RedisProtocolException(string message)
        : base(message)
    {
    }
}
