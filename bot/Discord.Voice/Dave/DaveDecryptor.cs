namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// Decrypts one remote sender's frames. Keeps one receive ratchet per epoch (newest tried first); ratchets of earlier
/// epochs stay usable until <see cref="ExpirePreviousRatchets"/> runs out their grace. Thread-safe: the media receive
/// loop decrypts while the voice gateway loop installs ratchets.
/// </summary>
public sealed class DaveDecryptor : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly List<DaveReceiveRatchet> _ratchets = [];
    private long _passthroughAllowedUntil;
    private bool _disposed;

    /// <param name="passthrough">Start in passthrough mode (transport-only call).</param>
    public DaveDecryptor(TimeProvider time, bool passthrough)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _passthroughAllowedUntil = passthrough ? long.MaxValue : long.MinValue;
    }

    /// <summary>Adds the ratchet of a new epoch; it is tried before the older ones, which are kept for now.</summary>
    public void AddKeyRatchet(DaveKeyRatchet keyRatchet)
    {
        ArgumentNullException.ThrowIfNull(keyRatchet);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _ratchets.Add(new DaveReceiveRatchet(_time, keyRatchet));
        }
    }

    /// <summary>All but the newest ratchet stop being tried after <paramref name="grace"/> (10 s after an epoch executes).</summary>
    public void ExpirePreviousRatchets(TimeSpan grace)
    {
        lock (_gate)
        {
            var deadline = Deadline(grace);
            for (var i = 0; i < _ratchets.Count - 1; i++)
            {
                _ratchets[i].ExpireNoLaterThan(deadline);
            }
        }
    }

    /// <summary>Every ratchet stops being tried after <paramref name="grace"/> (the sender left the group).</summary>
    public void ExpireAllRatchets(TimeSpan grace)
    {
        lock (_gate)
        {
            var deadline = Deadline(grace);
            foreach (var ratchet in _ratchets)
            {
                ratchet.ExpireNoLaterThan(deadline);
            }
        }
    }

    /// <summary>
    /// Turns passthrough on (indefinitely) or off; turning it off keeps accepting non-protocol frames for
    /// <paramref name="graceWhenDisabling"/> so frames still in flight from before an upgrade are not lost.
    /// </summary>
    public void SetPassthrough(bool enabled, TimeSpan graceWhenDisabling)
    {
        lock (_gate)
        {
            _passthroughAllowedUntil = enabled ? long.MaxValue : Math.Min(_passthroughAllowedUntil, Deadline(graceWhenDisabling));
        }
    }

    public bool IsPassthroughAllowed
    {
        get
        {
            lock (_gate)
            {
                return _passthroughAllowedUntil > _time.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// Decrypts <paramref name="frame"/> into <paramref name="destination"/>, which must be at least as long as the frame.
    /// Returns a typed result; malformed, replayed or forged frames are <see cref="DaveDecryptStatus.Rejected"/>.
    /// </summary>
    public DaveDecryptResult Decrypt(DaveMediaType mediaType, ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        if (mediaType is not (DaveMediaType.Audio or DaveMediaType.Video))
        {
            return DaveDecryptResult.Rejected(DaveRejectReason.UnsupportedMediaType);
        }

        if (destination.Length < frame.Length)
        {
            return DaveDecryptResult.Rejected(DaveRejectReason.DestinationTooSmall);
        }

        if (mediaType == DaveMediaType.Audio && DaveFrameFormat.IsOpusSilence(frame))
        {
            frame.CopyTo(destination);
            return DaveDecryptResult.PassedThrough(frame.Length);
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return DaveDecryptResult.Rejected(DaveRejectReason.NoKeyRatchet);
            }

            var now = _time.GetTimestamp();
            DropExpiredRatchets(now);
            if (!DaveFrameFormat.TryParse(frame, out var layout, out var frameError))
            {
                if (_passthroughAllowedUntil > now)
                {
                    frame.CopyTo(destination);
                    return DaveDecryptResult.PassedThrough(frame.Length);
                }

                return DaveDecryptResult.Rejected(DaveRejectReason.NotProtocolFrame, frameError);
            }

            if (_ratchets.Count == 0)
            {
                return DaveDecryptResult.Rejected(DaveRejectReason.NoKeyRatchet);
            }

            var reason = DaveRejectReason.None;
            for (var i = _ratchets.Count - 1; i >= 0; i--)
            {
                var attempt = _ratchets[i].TryDecrypt(frame, layout, destination);
                if (attempt == DaveRejectReason.None)
                {
                    return DaveDecryptResult.Decrypted(layout.MediaLength);
                }

                reason = MoreTelling(reason, attempt);
            }

            return DaveDecryptResult.Rejected(reason);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var ratchet in _ratchets)
            {
                ratchet.Dispose();
            }

            _ratchets.Clear();
        }
    }

    // A replay seen by any epoch's ratchet explains the failure better than the tag mismatch it causes under the others.
    private static DaveRejectReason MoreTelling(DaveRejectReason current, DaveRejectReason candidate) =>
        current switch
        {
            DaveRejectReason.None => candidate,
            DaveRejectReason.Replayed => current,
            _ when candidate == DaveRejectReason.Replayed => candidate,
            DaveRejectReason.AuthenticationFailed => current,
            _ when candidate == DaveRejectReason.AuthenticationFailed => candidate,
            _ => current,
        };

    private void DropExpiredRatchets(long now)
    {
        while (_ratchets.Count > 0 && _ratchets[0].IsExpired(now))
        {
            _ratchets[0].Dispose();
            _ratchets.RemoveAt(0);
        }
    }

    private long Deadline(TimeSpan after)
    {
        if (after == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        return _time.GetTimestamp() + (long)(after.TotalSeconds * _time.TimestampFrequency);
    }
}
