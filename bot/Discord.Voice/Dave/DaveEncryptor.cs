namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// Encrypts the local user's outgoing frames with its own ratchet of the current epoch. The truncated nonce starts at 0
/// for every new ratchet and is pre-incremented (first frame: nonce 1); the generation is its top byte, unwrapped so
/// it keeps counting after 2^32 frames. Without a ratchet (transport-only call) frames pass through unchanged.
/// </summary>
public sealed class DaveEncryptor : IDisposable
{
    private readonly object _gate = new();
    private DaveKeyRatchet? _ratchet;
    private DaveMediaKey? _currentKey;
    private uint _currentGeneration;
    private uint _truncatedNonce;

    public bool IsPassthrough
    {
        get
        {
            lock (_gate)
            {
                return _ratchet is null;
            }
        }
    }

    /// <summary>Switches to a new epoch's ratchet (owned from now on), or to passthrough with null.</summary>
    public void SetKeyRatchet(DaveKeyRatchet? ratchet)
    {
        lock (_gate)
        {
            _currentKey?.Dispose();
            _currentKey = null;
            _ratchet?.Dispose();
            _ratchet = ratchet;
            _currentGeneration = 0;
            _truncatedNonce = 0;
        }
    }

    /// <summary>The largest frame <see cref="Encrypt"/> can produce for this media length and these ranges.</summary>
    public static int GetMaxFrameLength(int mediaLength, ReadOnlySpan<UnencryptedRange> ranges) =>
        mediaLength + DaveFrameFormat.GetSupplementalSize(uint.MaxValue, ranges);

    /// <summary>
    /// Writes the protocol frame for <paramref name="media"/> to <paramref name="frame"/> and returns its length; in
    /// passthrough, copies the media unchanged.
    /// </summary>
    public int Encrypt(ReadOnlySpan<byte> media, ReadOnlySpan<UnencryptedRange> ranges, Span<byte> frame)
    {
        lock (_gate)
        {
            if (_ratchet is null)
            {
                media.CopyTo(frame);
                return media.Length;
            }

            _truncatedNonce = unchecked(_truncatedNonce + 1);
            var generation = UnwrapGeneration(_currentGeneration, (byte)(_truncatedNonce >> DaveFrameFormat.GenerationShift));
            if (_currentKey is null || generation != _currentGeneration)
            {
                if (!_ratchet.TryGetKey(generation, out var keyBytes))
                {
                    throw new InvalidOperationException($"Generation {generation} of the send ratchet is no longer available.");
                }

                _currentKey?.Dispose();
                _currentKey = new DaveMediaKey(keyBytes);
                if (generation != _currentGeneration)
                {
                    _ratchet.Erase(_currentGeneration);
                }

                _currentGeneration = generation;
            }

            return _currentKey.Encrypt(media, _truncatedNonce, ranges, frame);
        }
    }

    public void Dispose() => SetKeyRatchet(null);

    private static uint UnwrapGeneration(uint current, byte wireGeneration)
    {
        var remainder = current % DaveReceiveRatchet.GenerationWrap;
        var factor = (current / DaveReceiveRatchet.GenerationWrap) + (wireGeneration < remainder ? 1u : 0u);
        return (factor * DaveReceiveRatchet.GenerationWrap) + wireGeneration;
    }
}
