using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Mls.Schedule;

/// <summary>Confirmed and interim transcript hashes (RFC 9420 §8.2).</summary>
internal static class TranscriptHash
{
    public static byte[] Confirmed(ReadOnlySpan<byte> previousInterim, ReadOnlySpan<byte> confirmedTranscriptHashInput) =>
        MlsCipherSuite.Hash([.. previousInterim, .. confirmedTranscriptHashInput]);

    public static byte[] Interim(ReadOnlySpan<byte> confirmed, ReadOnlySpan<byte> confirmationTag)
    {
        var writer = new TlsWriter();
        writer.WriteRaw(confirmed);
        writer.WriteOpaque(confirmationTag);
        return MlsCipherSuite.Hash(writer.ToArray());
    }
}
