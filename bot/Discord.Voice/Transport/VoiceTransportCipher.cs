using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace DiscordLedgerBot.Voice.Transport;

/// <summary>
/// Transport encryption of one voice session (the op 4 <c>secret_key</c>), <c>*_rtpsize</c> layout:
/// <c>clear header | ciphertext (extension body + payload) | 16-byte tag | 4-byte BE nonce counter</c>, AAD = the
/// clear header, nonce = the counter then zeros (12 bytes for AES-GCM, 24 for XChaCha20-Poly1305). Decrypt never
/// throws on bad input: forged, garbled or truncated packets return false. Instances are not thread-safe.
/// </summary>
public sealed class VoiceTransportCipher : IDisposable
{
    public const int TagLength = 16;
    public const int NonceSuffixLength = 4;

    private readonly AesGcm? _aes;
    private readonly Key? _xchachaKey;
    private readonly byte[] _nonce;

    public VoiceTransportCipher(VoiceEncryptionMode mode, ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != 32)
        {
            throw new ArgumentException($"The voice secret key must be 32 bytes, not {secretKey.Length}.", nameof(secretKey));
        }

        Mode = mode;
        if (mode == VoiceEncryptionMode.AeadAes256GcmRtpSize)
        {
            _aes = new AesGcm(secretKey, TagLength);
            _nonce = new byte[12];
        }
        else
        {
            _xchachaKey = Key.Import(AeadAlgorithm.XChaCha20Poly1305, secretKey, KeyBlobFormat.RawSymmetricKey);
            _nonce = new byte[24];
        }
    }

    public VoiceEncryptionMode Mode { get; }

    /// <summary>The largest packet <see cref="Encrypt"/> writes for this header and payload.</summary>
    public static int PacketLength(int clearHeaderLength, int plaintextLength) => clearHeaderLength + plaintextLength + TagLength + NonceSuffixLength;

    /// <summary>
    /// Decrypts <paramref name="packet"/> into <paramref name="plaintext"/> (the extension body stripped): the Opus frame,
    /// or the DAVE frame when E2EE is on. False when the packet is not RTP, too short, or fails authentication.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> packet, Span<byte> plaintext, out RtpHeader header, out int payloadLength)
    {
        payloadLength = 0;
        if (!RtpHeader.TryParse(packet, out header))
        {
            return false;
        }

        var cipherLength = packet.Length - header.ClearLength - TagLength - NonceSuffixLength;
        if (cipherLength < header.ExtensionBodyLength || plaintext.Length < cipherLength)
        {
            return false;
        }

        var aad = packet[..header.ClearLength];
        var ciphertext = packet.Slice(header.ClearLength, cipherLength);
        var tag = packet.Slice(header.ClearLength + cipherLength, TagLength);
        _nonce.AsSpan().Clear();
        packet[^NonceSuffixLength..].CopyTo(_nonce);
        var output = plaintext[..cipherLength];
        if (_aes is not null)
        {
            try
            {
                _aes.Decrypt(_nonce, ciphertext, tag, output, aad);
            }
            catch (AuthenticationTagMismatchException)
            {
                output.Clear();
                return false;
            }
        }
        else
        {
            // NSec takes ciphertext||tag as one buffer, exactly how the packet lays them out.
            if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(_xchachaKey!, _nonce, aad, packet.Slice(header.ClearLength, cipherLength + TagLength), output))
            {
                return false;
            }
        }

        var body = header.ExtensionBodyLength;
        output[body..].CopyTo(plaintext);
        payloadLength = cipherLength - body;
        return true;
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (extension body + payload) behind the clear <paramref name="header"/> with the
    /// nonce counter <paramref name="nonce"/>; the sending half, used by the emulator's voice server and tests.
    /// </summary>
    public int Encrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext, uint nonce, Span<byte> packet)
    {
        var length = PacketLength(header.Length, plaintext.Length);
        header.CopyTo(packet);
        _nonce.AsSpan().Clear();
        BinaryPrimitives.WriteUInt32BigEndian(_nonce, nonce);
        var ciphertext = packet.Slice(header.Length, plaintext.Length);
        var tag = packet.Slice(header.Length + plaintext.Length, TagLength);
        if (_aes is not null)
        {
            _aes.Encrypt(_nonce, plaintext, ciphertext, tag, header);
        }
        else
        {
            AeadAlgorithm.XChaCha20Poly1305.Encrypt(_xchachaKey!, _nonce, header, plaintext, packet.Slice(header.Length, plaintext.Length + TagLength));
        }

        BinaryPrimitives.WriteUInt32BigEndian(packet[(length - NonceSuffixLength)..], nonce);
        return length;
    }

    public void Dispose()
    {
        _aes?.Dispose();
        _xchachaKey?.Dispose();
    }
}
