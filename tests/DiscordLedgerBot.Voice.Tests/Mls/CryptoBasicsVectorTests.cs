using System.Text;
using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class CryptoBasicsVectorTests
{
    private static readonly System.Text.Json.JsonElement[] Cases = MlsVectors.Suite2("crypto-basics.json");

    [Fact]
    public void RefHash_matches() => MlsVectors.ForEachCase(Cases, c =>
    {
        var v = c.GetProperty("ref_hash");
        Assert.Equal(v.Hex("out"), MlsCipherSuite.RefHash(Encoding.ASCII.GetBytes(v.Str("label")), v.Hex("value")));
    });

    [Fact]
    public void ExpandWithLabel_matches() => MlsVectors.ForEachCase(Cases, c =>
    {
        var v = c.GetProperty("expand_with_label");
        Assert.Equal(v.Hex("out"), MlsCipherSuite.ExpandWithLabel(v.Hex("secret"), v.Str("label"), v.Hex("context"), v.Int("length")));
    });

    [Fact]
    public void DeriveSecret_matches() => MlsVectors.ForEachCase(Cases, c =>
    {
        var v = c.GetProperty("derive_secret");
        Assert.Equal(v.Hex("out"), MlsCipherSuite.DeriveSecret(v.Hex("secret"), v.Str("label")));
    });

    [Fact]
    public void DeriveTreeSecret_matches() => MlsVectors.ForEachCase(Cases, c =>
    {
        var v = c.GetProperty("derive_tree_secret");
        Assert.Equal(v.Hex("out"), MlsCipherSuite.DeriveTreeSecret(v.Hex("secret"), v.Str("label"), v.GetProperty("generation").GetUInt32(), v.Int("length")));
    });

    [Fact]
    public void SignWithLabel_verifies_vector_and_own_signatures() => MlsVectors.ForEachCase(Cases, c =>
    {
        var v = c.GetProperty("sign_with_label");
        var label = v.Str("label");
        Assert.Equal(v.Hex("pub"), P256.PublicFromPrivate(v.Hex("priv")));
        Assert.True(MlsCipherSuite.VerifyWithLabel(v.Hex("pub"), label, v.Hex("content"), v.Hex("signature")));
        var own = MlsCipherSuite.SignWithLabel(v.Hex("priv"), label, v.Hex("content"));
        Assert.True(MlsCipherSuite.VerifyWithLabel(v.Hex("pub"), label, v.Hex("content"), own));
        Assert.False(MlsCipherSuite.VerifyWithLabel(v.Hex("pub"), label + "x", v.Hex("content"), own));
    });

    [Fact]
    public void EncryptWithLabel_decrypts_vector_and_round_trips() => MlsVectors.ForEachCase(Cases, c =>
    {
        var v = c.GetProperty("encrypt_with_label");
        var label = v.Str("label");
        var plaintext = MlsCipherSuite.DecryptWithLabel(v.Hex("priv"), label, v.Hex("context"), v.Hex("kem_output"), v.Hex("ciphertext"));
        Assert.Equal(v.Hex("plaintext"), plaintext);
        var (kemOutput, ciphertext) = MlsCipherSuite.EncryptWithLabel(v.Hex("pub"), label, v.Hex("context"), v.Hex("plaintext"));
        Assert.Equal(v.Hex("plaintext"), MlsCipherSuite.DecryptWithLabel(v.Hex("priv"), label, v.Hex("context"), kemOutput, ciphertext));
        Assert.Throws<MlsVerificationException>(() => MlsCipherSuite.DecryptWithLabel(v.Hex("priv"), label, [1, 2, 3], kemOutput, ciphertext));
    });
}
