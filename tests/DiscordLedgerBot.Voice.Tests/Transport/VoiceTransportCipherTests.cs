using System.Text.Json;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Transport;
using NSec.Cryptography;

namespace DiscordLedgerBot.Voice.Tests.Transport;

public sealed class VoiceTransportCipherTests
{
    /// <summary>The founders' derived rtpsize packet (contracts/discord/voice-transport-derived-vectors.json), extension included.</summary>
    [Fact]
    public void Aes_gcm_rtpsize_packet_decrypts_to_the_inner_payload_with_the_extension_body_stripped()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedContracts.Contract("discord", "voice-transport-derived-vectors.json")));
        var vector = document.RootElement.GetProperty("vectors")[0];
        using var cipher = new VoiceTransportCipher(VoiceEncryptionMode.AeadAes256GcmRtpSize, Convert.FromHexString(vector.GetProperty("secret_key").GetString()!));
        var packet = Convert.FromHexString(vector.GetProperty("packet").GetString()!);
        var plain = new byte[packet.Length];

        Assert.True(cipher.TryDecrypt(packet, plain, out var header, out var length));

        Assert.Equal(Convert.FromHexString(vector.GetProperty("inner_payload").GetString()!), plain[..length]);
        Assert.Equal(42u, header.Ssrc);
        Assert.Equal(16, header.ClearLength);
        Assert.Equal(4, header.ExtensionBodyLength);
    }

    [Fact]
    public void Aes_gcm_encrypt_reproduces_the_contract_packet()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedContracts.Contract("discord", "voice-transport-derived-vectors.json")));
        var vector = document.RootElement.GetProperty("vectors")[0];
        using var cipher = new VoiceTransportCipher(VoiceEncryptionMode.AeadAes256GcmRtpSize, Convert.FromHexString(vector.GetProperty("secret_key").GetString()!));
        byte[] plaintext = [.. Convert.FromHexString(vector.GetProperty("extension_body_encrypted_part").GetString()!), .. Convert.FromHexString(vector.GetProperty("inner_payload").GetString()!)];
        var packet = new byte[512];

        var length = cipher.Encrypt(Convert.FromHexString(vector.GetProperty("aad").GetString()!), plaintext, 5, packet);

        Assert.Equal(vector.GetProperty("packet").GetString(), Convert.ToHexStringLower(packet[..length]));
    }

    /// <summary>
    /// AEAD_XChaCha20_Poly1305 test vector of draft-irtf-cfrg-xchacha-03, appendix A.3.1: proves the library (NSec on
    /// libsodium) the XChaCha mode uses; the round trip below proves our packet layout around it.
    /// </summary>
    [Fact]
    public void XChaCha20_poly1305_matches_the_draft_irtf_cfrg_xchacha_vector()
    {
        var key = Convert.FromHexString("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        var nonce = Convert.FromHexString("404142434445464748494a4b4c4d4e4f5051525354555657");
        var aad = Convert.FromHexString("50515253c0c1c2c3c4c5c6c7");
        var plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."u8.ToArray();
        var expected = Convert.FromHexString(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
            + "c0875924c1c7987947deafd8780acf49");
        using var imported = Key.Import(AeadAlgorithm.XChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);

        Assert.Equal(expected, AeadAlgorithm.XChaCha20Poly1305.Encrypt(imported, nonce, aad, plaintext));
        Assert.Equal(plaintext, AeadAlgorithm.XChaCha20Poly1305.Decrypt(imported, nonce, aad, expected));
    }

    [Theory]
    [InlineData(VoiceEncryptionMode.AeadAes256GcmRtpSize)]
    [InlineData(VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize)]
    public void Round_trip_and_every_single_bit_flip_is_refused(VoiceEncryptionMode mode)
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using var cipher = new VoiceTransportCipher(mode, key);
        var header = new byte[16];
        var headerLength = RtpHeader.Write(header, 7, 960, 99, extensionWords: 1);
        byte[] plaintext = [0x10, 0x7F, 0, 0, .. "opus frame bytes"u8];
        var packet = new byte[256];
        var length = cipher.Encrypt(header.AsSpan(0, headerLength), plaintext, 0xFFFFFFFE, packet);
        var output = new byte[256];

        Assert.True(cipher.TryDecrypt(packet.AsSpan(0, length), output, out var parsed, out var payload));
        Assert.Equal("opus frame bytes"u8.ToArray(), output[..payload]);
        Assert.Equal((ushort)7, parsed.Sequence);

        for (var bit = 0; bit < length * 8; bit++)
        {
            var forged = packet[..length];
            forged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(cipher.TryDecrypt(forged, output, out _, out _) && output.AsSpan(0, payload).SequenceEqual("opus frame bytes"u8), $"bit {bit} flipped and still accepted");
        }
    }

    [Fact]
    public void Mode_choice_prefers_aes_gcm_and_falls_back_to_xchacha()
    {
        Assert.Equal(
            System.Security.Cryptography.AesGcm.IsSupported ? VoiceEncryptionMode.AeadAes256GcmRtpSize : VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize,
            VoiceEncryptionModes.Choose(["aead_xchacha20_poly1305_rtpsize", "aead_aes256_gcm_rtpsize", "xsalsa20_poly1305"]));
        Assert.Equal(VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize, VoiceEncryptionModes.Choose(["aead_xchacha20_poly1305_rtpsize"]));
        Assert.Null(VoiceEncryptionModes.Choose(["xsalsa20_poly1305", "aead_aes256_gcm"]));
    }

    [Fact]
    public void Ip_discovery_round_trips()
    {
        var request = IpDiscovery.CreateRequest(1234);
        Assert.True(IpDiscovery.TryParseRequest(request, out var ssrc));
        Assert.Equal(1234u, ssrc);
        var response = IpDiscovery.CreateResponse(1234, "203.0.113.9", 50004);
        Assert.True(IpDiscovery.TryParseResponse(response, 1234, out var address, out var port));
        Assert.Equal(("203.0.113.9", (ushort)50004), (address, port));
        Assert.False(IpDiscovery.TryParseResponse(response, 999, out _, out _));
    }
}
