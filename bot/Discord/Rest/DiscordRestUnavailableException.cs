namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// The client refused to send: the token was rejected with 401 (until it is reconfigured), the invalid-request
/// budget is nearly spent, or Discord has been failing and the HTTP client's circuit is open. Nothing was sent to Discord.
/// </summary>
public sealed class DiscordRestUnavailableException : Exception
{
    public DiscordRestUnavailableException(string message)
        : base(message)
    {
    }

    public DiscordRestUnavailableException()
    {
    }

    public DiscordRestUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
