using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Schedule;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class TranscriptHashVectorTests
{
    [Fact]
    public void Confirmed_and_interim_hashes_and_confirmation_tag_match() => MlsVectors.ForEachCase(MlsVectors.Suite2("transcript-hashes.json"), c =>
    {
        var content = AuthenticatedContent.Parse(c.Hex("authenticated_content"));
        Assert.Equal(c.Hex("authenticated_content"), content.ToBytes());
        var confirmed = TranscriptHash.Confirmed(c.Hex("interim_transcript_hash_before"), content.ConfirmedTranscriptHashInput());
        Assert.Equal(c.Hex("confirmed_transcript_hash_after"), confirmed);
        Assert.Equal(content.Auth.ConfirmationTag, MlsCipherSuite.Mac(c.Hex("confirmation_key"), confirmed));
        Assert.Equal(c.Hex("interim_transcript_hash_after"), TranscriptHash.Interim(confirmed, content.Auth.ConfirmationTag!));
    });
}
