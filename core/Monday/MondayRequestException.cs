namespace DiscordLedgerBot.Core.Monday;

/// <summary>A request monday did not carry out as a whole (after the client's retries, when retrying made sense).</summary>
public sealed class MondayRequestException : Exception
{
    public MondayRequestException(MondayErrorKind kind, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        RetryAfter = retryAfter;
    }

    public MondayRequestException()
        : this(MondayErrorKind.Transient, "monday request failed")
    {
    }

    public MondayRequestException(string message)
        : this(MondayErrorKind.Transient, message)
    {
    }

    public MondayRequestException(string message, Exception innerException)
        : this(MondayErrorKind.Transient, message, null, innerException)
    {
    }

    public MondayErrorKind Kind { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>True when sending the same request later may succeed.</summary>
    public bool IsRetryable => Kind is MondayErrorKind.RateLimited or MondayErrorKind.Transient;
}
