using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Schedule;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class PskSecretVectorTests
{
    [Fact]
    public void Psk_secret_matches_for_zero_to_many_external_psks() => MlsVectors.ForEachCase(MlsVectors.Suite2("psk_secret.json"), c =>
    {
        var psks = c.GetProperty("psks").EnumerateArray()
            .Select(p => (new PreSharedKeyId(PreSharedKeyId.External, p.Hex("psk_id"), 0, [], 0, p.Hex("psk_nonce")), p.Hex("psk")))
            .ToList();
        Assert.Equal(c.Hex("psk_secret"), PskSecret.Compute(psks));
    });
}
