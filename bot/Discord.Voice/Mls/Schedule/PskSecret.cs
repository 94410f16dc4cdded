using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls.Schedule;

/// <summary>psk_secret chaining of RFC 9420 §8.4 (all zeros when there are no PSKs).</summary>
internal static class PskSecret
{
    public static byte[] Compute(IReadOnlyList<(PreSharedKeyId Id, byte[] Psk)> psks)
    {
        var secret = EpochSecrets.ZeroSecret;
        for (var i = 0; i < psks.Count; i++)
        {
            var extracted = MlsCipherSuite.Extract(EpochSecrets.ZeroSecret, psks[i].Psk);
            var label = new TlsWriter();
            psks[i].Id.Encode(label);
            label.WriteU16((ushort)i);
            label.WriteU16((ushort)psks.Count);
            var input = MlsCipherSuite.ExpandWithLabel(extracted, "derived psk", label.ToArray(), MlsCipherSuite.HashLength);
            secret = MlsCipherSuite.Extract(input, secret);
        }

        return secret;
    }
}
