namespace DiscordLedgerBot.Voice.Mls;

/// <summary>
/// Any MLS failure: malformed encoding, failed signature/MAC/AEAD check, a message that does not fit the group state.
/// Parsing and validation never leak lower-level exceptions (IndexOutOfRange, CryptographicException) to callers.
/// </summary>
public class MlsException : Exception
{
    public MlsException()
    {
    }

    public MlsException(string message)
        : base(message)
    {
    }

    public MlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The bytes do not follow the TLS presentation language / MLS structure rules.</summary>
public sealed class MlsDecodeException : MlsException
{
    public MlsDecodeException()
    {
    }

    public MlsDecodeException(string message)
        : base(message)
    {
    }

    public MlsDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A signature, MAC, AEAD tag, tree hash or parent hash did not verify.</summary>
public sealed class MlsVerificationException : MlsException
{
    public MlsVerificationException()
    {
    }

    public MlsVerificationException(string message)
        : base(message)
    {
    }

    public MlsVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
