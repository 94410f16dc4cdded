using System.Globalization;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace DiscordLedgerBot.Discord.Tests.Security;

/// <summary>A real Ed25519 key pair, generated per test, signing requests the way Discord does.</summary>
internal sealed class Ed25519TestKeys
{
    private readonly Ed25519PrivateKeyParameters _private;

    public Ed25519TestKeys()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        _private = (Ed25519PrivateKeyParameters)pair.Private;
        PublicKeyHex = Convert.ToHexString(((Ed25519PublicKeyParameters)pair.Public).GetEncoded()).ToLowerInvariant();
    }

    public string PublicKeyHex { get; }

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public string Sign(string timestamp, string body)
    {
        var message = Encoding.UTF8.GetBytes(timestamp + body);
        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        signer.BlockUpdate(message, 0, message.Length);
        return Convert.ToHexString(signer.GenerateSignature()).ToLowerInvariant();
    }
}
