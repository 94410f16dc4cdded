namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// The receive side of one sender's ratchet for one epoch (libdave's CryptorManager): which generations may still be
/// used, which nonces were already seen, and when unused keys are erased. Generations on the wire are one byte; they are
/// unwrapped relative to the oldest kept generation so a sender may keep counting past 255.
/// </summary>
internal sealed class DaveReceiveRatchet : IDisposable
{
    public const int MaxGenerationGap = 250;
    public const int MaxMissingNonces = 1000;
    public const int MaxFramesPerSecond = 170;
    public const int GenerationWrap = 256;
    public static readonly TimeSpan KeyExpiry = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly DaveKeyRatchet _keyRatchet;
    private readonly long _createdAt;
    private readonly Dictionary<uint, (DaveMediaKey Key, long ExpiresAt)> _keys = [];
    private readonly SortedSet<ulong> _missingNonces = [];
    private uint _oldestGeneration;
    private uint _newestGeneration;
    private ulong? _newestProcessedNonce;
    private long _earliestKeyExpiry = long.MaxValue;

    public DaveReceiveRatchet(TimeProvider time, DaveKeyRatchet keyRatchet)
    {
        _time = time;
        _keyRatchet = keyRatchet;
        _createdAt = time.GetTimestamp();
    }

    /// <summary>When this whole ratchet stops being tried (set once a newer epoch is executed).</summary>
    public long ExpiresAt { get; private set; } = long.MaxValue;

    public bool IsExpired(long now) => ExpiresAt <= now;

    public void ExpireNoLaterThan(long deadline) => ExpiresAt = Math.Min(ExpiresAt, deadline);

    public uint UnwrapGeneration(byte generation)
    {
        var remainder = _oldestGeneration % GenerationWrap;
        var factor = (_oldestGeneration / GenerationWrap) + (generation < remainder ? 1u : 0u);
        return (factor * GenerationWrap) + generation;
    }

    /// <summary>Tries one frame. On success the plaintext is in <paramref name="destination"/>; otherwise why not.</summary>
    public DaveRejectReason TryDecrypt(ReadOnlySpan<byte> frame, in DaveFrameLayout layout, Span<byte> destination)
    {
        var now = _time.GetTimestamp();
        EraseExpiredKeys(now);
        var generation = UnwrapGeneration(layout.Generation);
        var bigNonce = ((ulong)generation << DaveFrameFormat.GenerationShift) | (layout.TruncatedNonce & 0x00FF_FFFFu);
        if (_newestProcessedNonce is { } newest && bigNonce <= newest && !_missingNonces.Contains(bigNonce))
        {
            return DaveRejectReason.Replayed;
        }

        if (generation < _oldestGeneration)
        {
            return DaveRejectReason.GenerationExpired;
        }

        if (generation > (ulong)_newestGeneration + MaxGenerationGap)
        {
            return DaveRejectReason.GenerationTooFarAhead;
        }

        var ageSeconds = (long)_time.GetElapsedTime(_createdAt, now).TotalSeconds;
        var reachableGeneration = (MaxFramesPerSecond * ageSeconds) >> DaveFrameFormat.GenerationShift;
        if (generation > reachableGeneration)
        {
            return DaveRejectReason.GenerationExceedsRatchetAge;
        }

        if (!_keys.TryGetValue(generation, out var entry))
        {
            if (!_keyRatchet.TryGetKey(generation, out var keyBytes))
            {
                return DaveRejectReason.GenerationExpired;
            }

            entry = (new DaveMediaKey(keyBytes), long.MaxValue);
            _keys[generation] = entry;
        }

        if (!entry.Key.TryDecrypt(frame, layout, destination))
        {
            return DaveRejectReason.AuthenticationFailed;
        }

        RecordSuccess(generation, bigNonce, now);
        return DaveRejectReason.None;
    }

    public void Dispose()
    {
        foreach (var (key, _) in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
        _keyRatchet.Dispose();
    }

    private void RecordSuccess(uint generation, ulong bigNonce, long now)
    {
        if (_newestProcessedNonce is not { } newest)
        {
            _newestProcessedNonce = bigNonce;
        }
        else if (bigNonce > newest)
        {
            var oldestTracked = bigNonce > MaxMissingNonces ? bigNonce - MaxMissingNonces : 0;
            while (_missingNonces.Count > 0 && _missingNonces.Min < oldestTracked)
            {
                _missingNonces.Remove(_missingNonces.Min);
            }

            // A big jump only remembers the last MaxMissingNonces nonces before it; older ones count as replays.
            for (var missing = Math.Max(oldestTracked, newest + 1); missing < bigNonce; missing++)
            {
                _missingNonces.Add(missing);
            }

            _newestProcessedNonce = bigNonce;
        }
        else
        {
            _missingNonces.Remove(bigNonce);
        }

        if (generation <= _newestGeneration)
        {
            return;
        }

        // A newer generation works: older keys stay usable for late or reordered frames, but only for KeyExpiry.
        _newestGeneration = generation;
        var deadline = now + ToTimestampTicks(KeyExpiry);
        foreach (var older in _keys.Keys.Where(g => g < generation).ToList())
        {
            var (key, expiresAt) = _keys[older];
            _keys[older] = (key, Math.Min(expiresAt, deadline));
            _earliestKeyExpiry = Math.Min(_earliestKeyExpiry, deadline);
        }
    }

    private void EraseExpiredKeys(long now)
    {
        if (now >= _earliestKeyExpiry)
        {
            EraseKeysExpiredAt(now);
        }

        while (_oldestGeneration < _newestGeneration && !_keys.ContainsKey(_oldestGeneration))
        {
            _keyRatchet.Erase(_oldestGeneration);
            _oldestGeneration++;
        }
    }

    private void EraseKeysExpiredAt(long now)
    {
        foreach (var generation in _keys.Where(pair => pair.Value.ExpiresAt <= now).Select(pair => pair.Key).ToList())
        {
            _keys[generation].Key.Dispose();
            _keys.Remove(generation);
        }

        _earliestKeyExpiry = _keys.Count == 0 ? long.MaxValue : _keys.Values.Min(entry => entry.ExpiresAt);
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
