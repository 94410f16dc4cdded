using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// A sender's media-key hash ratchet for one MLS epoch (the MLS secret-tree ratchet applied to the exported base secret):
/// key_g = ExpandWithLabel(secret_g, "key", u32_be(g), 16), secret_{g+1} = ExpandWithLabel(secret_g, "secret", u32_be(g), 32).
/// Moving forward caches the keys of the generations it passes; an erased or skipped-behind generation cannot come back.
/// Not thread-safe: owned by one encryptor or one receive ratchet.
/// </summary>
public sealed class DaveKeyRatchet : IDisposable
{
    private readonly Dictionary<uint, byte[]> _keys = [];
    private byte[] _nextSecret;
    private uint _nextGeneration;

    public DaveKeyRatchet(ReadOnlySpan<byte> baseSecret)
    {
        if (baseSecret.IsEmpty)
        {
            throw new ArgumentException("The ratchet base secret is empty.", nameof(baseSecret));
        }

        _nextSecret = baseSecret.ToArray();
    }

    /// <summary>Derives the ratchet of <paramref name="senderUserId"/> from an MLS exporter.</summary>
    public static DaveKeyRatchet ForSender(IDaveMlsExporter exporter, ulong senderUserId)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        var baseSecret = exporter.Export(DaveKeyDerivation.SenderKeyExporterLabel, DaveKeyDerivation.SenderExporterContext(senderUserId), DaveKeyDerivation.MediaKeyLength);
        try
        {
            return new DaveKeyRatchet(baseSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(baseSecret);
        }
    }

    /// <summary>The key of <paramref name="generation"/>; false once that generation was erased or passed without caching.</summary>
    public bool TryGetKey(uint generation, out byte[] key)
    {
        if (_keys.TryGetValue(generation, out key!))
        {
            return true;
        }

        if (generation < _nextGeneration)
        {
            key = [];
            return false;
        }

        Span<byte> context = stackalloc byte[4];
        while (_nextGeneration <= generation)
        {
            BinaryPrimitives.WriteUInt32BigEndian(context, _nextGeneration);
            _keys[_nextGeneration] = DaveKeyDerivation.ExpandWithLabel(_nextSecret, "key", context, DaveKeyDerivation.MediaKeyLength);
            var following = DaveKeyDerivation.ExpandWithLabel(_nextSecret, "secret", context, 32);
            CryptographicOperations.ZeroMemory(_nextSecret);
            _nextSecret = following;
            _nextGeneration++;
        }

        key = _keys[generation];
        return true;
    }

    public void Erase(uint generation)
    {
        if (_keys.Remove(generation, out var key))
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        _keys.Clear();
        CryptographicOperations.ZeroMemory(_nextSecret);
    }
}
