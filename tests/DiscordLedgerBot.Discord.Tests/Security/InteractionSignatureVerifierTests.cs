using System.Text;
using DiscordLedgerBot.Discord.Security;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Discord.Tests.Security;

public class InteractionSignatureVerifierTests
{
    private const string Body = """{"type":1,"id":"1","application_id":"2","token":"t","version":1}""";

    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly Ed25519TestKeys _keys = new();

    private InteractionSignatureVerifier Verifier() => new(_keys.PublicKeyHex, _time, TimeSpan.FromMinutes(5));

    private InteractionSignatureStatus Verify(string? signature, string? timestamp, string body = Body) =>
        Verifier().Verify(signature, timestamp, Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_genuine_signature_is_valid()
    {
        var timestamp = Ed25519TestKeys.Timestamp(_time.GetUtcNow());

        Assert.Equal(InteractionSignatureStatus.Valid, Verify(_keys.Sign(timestamp, Body), timestamp));
    }

    [Fact]
    public void A_signature_from_another_key_is_forged()
    {
        var timestamp = Ed25519TestKeys.Timestamp(_time.GetUtcNow());

        Assert.Equal(InteractionSignatureStatus.Forged, Verify(new Ed25519TestKeys().Sign(timestamp, Body), timestamp));
    }

    [Fact]
    public void A_tampered_body_or_timestamp_is_forged()
    {
        var timestamp = Ed25519TestKeys.Timestamp(_time.GetUtcNow());
        var signature = _keys.Sign(timestamp, Body);

        Assert.Equal(InteractionSignatureStatus.Forged, Verify(signature, timestamp, Body.Replace("\"type\":1", "\"type\":2", StringComparison.Ordinal)));
        Assert.Equal(InteractionSignatureStatus.Forged, Verify(signature, Ed25519TestKeys.Timestamp(_time.GetUtcNow().AddSeconds(1))));
    }

    [Theory]
    [InlineData(null, "1")]
    [InlineData("ab", null)]
    [InlineData("", "")]
    public void Missing_headers_are_refused(string? signature, string? timestamp) =>
        Assert.Equal(InteractionSignatureStatus.Missing, Verify(signature, timestamp));

    [Fact]
    public void Malformed_signatures_and_timestamps_are_refused()
    {
        var timestamp = Ed25519TestKeys.Timestamp(_time.GetUtcNow());
        var signature = _keys.Sign(timestamp, Body);

        Assert.Equal(InteractionSignatureStatus.Malformed, Verify(signature[..^2], timestamp));
        Assert.Equal(InteractionSignatureStatus.Malformed, Verify("zz" + signature[2..], timestamp));
        Assert.Equal(InteractionSignatureStatus.Malformed, Verify(signature, "yesterday"));
    }

    [Fact]
    public void An_authentic_but_old_request_is_stale()
    {
        var old = Ed25519TestKeys.Timestamp(_time.GetUtcNow().AddMinutes(-6));
        var recent = Ed25519TestKeys.Timestamp(_time.GetUtcNow().AddMinutes(-4));

        Assert.Equal(InteractionSignatureStatus.Stale, Verify(_keys.Sign(old, Body), old));
        Assert.Equal(InteractionSignatureStatus.Valid, Verify(_keys.Sign(recent, Body), recent));
    }

    [Fact]
    public void A_bad_public_key_is_refused_at_construction() =>
        Assert.Throws<ArgumentException>(() => new InteractionSignatureVerifier("abcd", _time, TimeSpan.FromMinutes(5)));
}
