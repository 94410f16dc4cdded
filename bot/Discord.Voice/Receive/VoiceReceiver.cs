using DiscordLedgerBot.Voice.Audio;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Transport;

namespace DiscordLedgerBot.Voice.Receive;

/// <summary>
/// The receive path of one voice connection, in Discord's order: transport-decrypt (extension body stripped) → SSRC to
/// user → DAVE-decrypt with that user's decryptor → jitter buffer (reorder, FEC/PLC for losses) → Opus decode and
/// 48 kHz stereo → 16 kHz mono → per-speaker segmentation into <see cref="HeardUtterance"/>s. An utterance ends on
/// silence (quiet frames, or no packets, for <see cref="VoiceReceiverOptions.SilenceTimeout"/>), shortly after the
/// speaker's flag drops, or at the length cap. Thread-safe: datagrams, gateway events and timers may arrive on any thread.
/// </summary>
public sealed class VoiceReceiver : IDisposable
{
    // Ten seconds of 20 ms frames (~50 KB): the WebSocket's op 5 can lag far behind a burst of UDP (a busy host, a
    // sender that catches up), and dropping the oldest held packets would cut off the start of a request, its wake phrase.
    private const int MaxPendingPerUnknownSsrc = 500;
    private const int MaxUnknownSsrcs = 16;
    private const int MaxConcealedRun = 10;

    private readonly object _gate = new();
    private readonly VoiceReceiverOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<ulong, DaveDecryptor?> _daveDecryptor;
    private readonly Action<HeardUtterance> _onUtterance;
    private readonly Dictionary<uint, Speaker> _speakers = [];
    private readonly Dictionary<uint, Queue<byte[]>> _unmapped = [];
    private readonly byte[] _plain = new byte[4096];
    private readonly byte[] _media = new byte[4096];
    private readonly short[] _pcm = new short[1920];
    private readonly List<HeardUtterance> _finished = [];
    private VoiceTransportCipher? _cipher;
    private long _datagrams, _accepted, _notRtp, _transportRejected, _daveRejected, _unmappedDropped, _late, _concealed, _fec, _utterances;
    private bool _disposed;

    /// <param name="daveDecryptor">The DAVE decryptor of a user (passthrough while the call is transport-only).</param>
    /// <param name="onUtterance">Called with each finished utterance, outside the receiver's lock; must return quickly.</param>
    public VoiceReceiver(VoiceReceiverOptions options, TimeProvider time, Func<ulong, DaveDecryptor?> daveDecryptor, Action<HeardUtterance> onUtterance)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(daveDecryptor);
        ArgumentNullException.ThrowIfNull(onUtterance);
        _options = options;
        _time = time;
        _daveDecryptor = daveDecryptor;
        _onUtterance = onUtterance;
    }

    public VoiceReceiveCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new(_datagrams, _accepted, _notRtp, _transportRejected, _daveRejected, _unmappedDropped, _late, _concealed, _fec, _utterances);
            }
        }
    }

    /// <summary>The users whose SSRC is known (op 5 seen).</summary>
    public IReadOnlyCollection<ulong> Speakers
    {
        get
        {
            lock (_gate)
            {
                return [.. _speakers.Values.Select(s => s.UserId)];
            }
        }
    }

    /// <summary>The session description arrived (or changed): packets are decrypted with this cipher from now on.</summary>
    public void SetCipher(VoiceTransportCipher cipher)
    {
        lock (_gate)
        {
            _cipher?.Dispose();
            _cipher = cipher;
        }
    }

    /// <summary>Op 5 from the server: <paramref name="userId"/> sends as <paramref name="ssrc"/>; a flag drop ends their utterance soon.</summary>
    public void OnSpeaking(ulong userId, uint ssrc, bool speaking)
    {
        List<byte[]>? backlog = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (!_speakers.TryGetValue(ssrc, out var speaker) || speaker.UserId != userId)
            {
                if (speaker is not null)
                {
                    Finish(speaker);
                    speaker.Dispose();
                }

                speaker = new Speaker(this, userId, ssrc);
                _speakers[ssrc] = speaker;
                if (_unmapped.Remove(ssrc, out var queued))
                {
                    backlog = [.. queued];
                }
            }

            if (backlog is not null)
            {
                foreach (var payload in backlog)
                {
                    RtpHeader.TryParse(payload, out var header);
                    Deliver(speaker, header, payload.AsSpan(header.ClearLength));
                }
            }

            if (!speaking)
            {
                speaker.Timer.Change(_options.SpeakingEndGrace, Timeout.InfiniteTimeSpan);
            }
        }

        Publish();
    }

    /// <summary>Op 13: the user left; what they said so far is finished, their SSRC forgotten.</summary>
    public void RemoveUser(ulong userId)
    {
        lock (_gate)
        {
            foreach (var speaker in _speakers.Values.Where(s => s.UserId == userId).ToList())
            {
                Finish(speaker);
                speaker.Dispose();
                _speakers.Remove(speaker.Ssrc);
            }
        }

        Publish();
    }

    /// <summary>One UDP datagram. Never throws for bad input: every drop is counted.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            _datagrams++;
            if (_disposed || _cipher is null)
            {
                _notRtp++;
                return;
            }

            if (!RtpHeader.TryParse(datagram, out var header) || header.PayloadType != RtpHeader.OpusPayloadType)
            {
                _notRtp++;
                return;
            }

            if (datagram.Length > _plain.Length || !_cipher.TryDecrypt(datagram, _plain, out header, out var length))
            {
                _transportRejected++;
                return;
            }

            if (!_speakers.TryGetValue(header.Ssrc, out var speaker))
            {
                Hold(header, _plain.AsSpan(0, length));
                return;
            }

            Deliver(speaker, header, _plain.AsSpan(0, length));
        }

        Publish();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var speaker in _speakers.Values)
            {
                speaker.Dispose();
            }

            _speakers.Clear();
            _cipher?.Dispose();
            _cipher = null;
        }
    }

    // Before op 5 maps an SSRC (the WebSocket and UDP race), keep its packets, with a copy of the clear header for replay.
    private void Hold(RtpHeader header, ReadOnlySpan<byte> payload)
    {
        if (!_unmapped.TryGetValue(header.Ssrc, out var queue))
        {
            if (_unmapped.Count >= MaxUnknownSsrcs)
            {
                _unmappedDropped++;
                return;
            }

            queue = new Queue<byte[]>();
            _unmapped[header.Ssrc] = queue;
        }

        if (queue.Count >= MaxPendingPerUnknownSsrc)
        {
            queue.Dequeue();
            _unmappedDropped++;
        }

        var copy = new byte[RtpHeader.FixedLength + payload.Length];
        RtpHeader.Write(copy, header.Sequence, header.Timestamp, header.Ssrc);
        payload.CopyTo(copy.AsSpan(RtpHeader.FixedLength));
        queue.Enqueue(copy);
    }

    private void Deliver(Speaker speaker, RtpHeader header, ReadOnlySpan<byte> payload)
    {
        var decryptor = _daveDecryptor(speaker.UserId);
        if (decryptor is null)
        {
            _daveRejected++;
            return;
        }

        var result = decryptor.Decrypt(DaveMediaType.Audio, payload, _media);
        if (result.Status == DaveDecryptStatus.Rejected)
        {
            _daveRejected++;
            return;
        }

        _accepted++;
        speaker.Accept(header, _media.AsSpan(0, result.BytesWritten));
        speaker.Timer.Change(_options.SilenceTimeout, Timeout.InfiniteTimeSpan);
    }

    private void Finish(Speaker speaker)
    {
        speaker.Drain(flush: true);
        speaker.EndUtterance();
    }

    private void OnTimer(Speaker speaker)
    {
        lock (_gate)
        {
            if (_disposed || !_speakers.ContainsKey(speaker.Ssrc))
            {
                return;
            }

            Finish(speaker);
        }

        Publish();
    }

    private void Publish()
    {
        HeardUtterance[] ready;
        lock (_gate)
        {
            if (_finished.Count == 0)
            {
                return;
            }

            ready = [.. _finished];
            _finished.Clear();
        }

        foreach (var utterance in ready)
        {
            _onUtterance(utterance);
        }
    }

    private sealed class Speaker : IDisposable
    {
        private readonly VoiceReceiver _owner;
        private readonly OpusSpeakerDecoder _decoder = new();
        private readonly SortedDictionary<long, (uint Timestamp, byte[] Opus)> _pending = [];
        private readonly List<short> _utterance = [];
        private long? _next;
        private long _lastExtended;
        private uint? _lastTimestamp;
        private DateTimeOffset _startedAt;
        private int _voicedSamples;
        private int _trailingSilence;

        public Speaker(VoiceReceiver owner, ulong userId, uint ssrc)
        {
            _owner = owner;
            UserId = userId;
            Ssrc = ssrc;
            Timer = owner._time.CreateTimer(static state => ((Speaker)state!)._owner.OnTimer((Speaker)state!), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public ulong UserId { get; }

        public uint Ssrc { get; }

        public ITimer Timer { get; }

        private VoiceReceiverOptions Options => _owner._options;

        public void Accept(RtpHeader header, ReadOnlySpan<byte> opus)
        {
            var extended = _next is null ? header.Sequence : _lastExtended + (short)(header.Sequence - (ushort)_lastExtended);
            if (_next is { } next && extended < next || _pending.ContainsKey(extended))
            {
                _owner._late++;
                return;
            }

            _lastExtended = Math.Max(_lastExtended, extended);
            _next ??= extended;
            _pending[extended] = (header.Timestamp, opus.ToArray());
            Drain(flush: false);
        }

        public void Drain(bool flush)
        {
            var concealedRun = 0;
            while (_pending.Count > 0 && _next is { } next)
            {
                if (_pending.Remove(next, out var frame))
                {
                    Play(frame.Timestamp, frame.Opus);
                    _next = next + 1;
                    concealedRun = 0;
                    continue;
                }

                var first = _pending.Keys.First();
                if (!flush && first - next < Options.JitterDepth && _pending.Count < Options.JitterDepth)
                {
                    return;
                }

                if (first - next > MaxConcealedRun || concealedRun >= MaxConcealedRun)
                {
                    // A long hole is not worth inventing audio for: continue at the next packet we have.
                    _next = first;
                    continue;
                }

                var following = _pending.TryGetValue(next + 1, out var after) ? after.Opus : [];
                var written = _decoder.DecodeLost(following, _owner._pcm);
                if (following.Length > 0)
                {
                    _owner._fec++;
                }
                else
                {
                    _owner._concealed++;
                }

                Append(_owner._pcm.AsSpan(0, written), silent: false);
                _lastTimestamp = _lastTimestamp + OpusSpeakerDecoder.FrameSamples;
                _next = next + 1;
                concealedRun++;
            }
        }

        public void EndUtterance()
        {
            var voiced = _voicedSamples;
            var length = _utterance.Count - Math.Min(_trailingSilence, _utterance.Count);
            if (voiced >= Options.MinVoiced.TotalSeconds * OpusSpeakerDecoder.OutputSamplesPerFrame * 50 && length > 0)
            {
                var pcm = _utterance.GetRange(0, length).ToArray();
                var ended = _startedAt + TimeSpan.FromSeconds(pcm.Length / 16_000.0);
                _owner._finished.Add(new HeardUtterance(UserId, Ssrc, _startedAt, ended, pcm));
                _owner._utterances++;
            }

            _utterance.Clear();
            _voicedSamples = 0;
            _trailingSilence = 0;
        }

        public void Dispose()
        {
            Timer.Dispose();
            _decoder.Dispose();
        }

        private void Play(uint timestamp, byte[] opus)
        {
            // A sender pauses by not sending (its sequence continues, its timestamp jumps): a long jump ends the utterance.
            if (_lastTimestamp is { } last && (int)(timestamp - last) > Options.SilenceTimeout.TotalSeconds * OpusSpeakerDecoder.SampleRate)
            {
                EndUtterance();
            }

            _lastTimestamp = timestamp;
            if (DaveFrameFormat.IsOpusSilence(opus))
            {
                Append([], silent: true, OpusSpeakerDecoder.OutputSamplesPerFrame);
                return;
            }

            var written = _decoder.Decode(opus, _owner._pcm);
            Append(_owner._pcm.AsSpan(0, written), silent: false);
        }

        private void Append(ReadOnlySpan<short> samples, bool silent, int silentSamples = 0)
        {
            var quiet = silent || Rms(samples) < Options.SilenceRms;
            if (quiet)
            {
                if (_utterance.Count == 0)
                {
                    return;
                }

                if (silent)
                {
                    _utterance.AddRange(new short[silentSamples]);
                    _trailingSilence += silentSamples;
                }
                else
                {
                    AddRange(samples);
                    _trailingSilence += samples.Length;
                }

                if (_trailingSilence >= Options.SilenceTimeout.TotalSeconds * 16_000)
                {
                    EndUtterance();
                }

                return;
            }

            if (_utterance.Count == 0)
            {
                _startedAt = _owner._time.GetUtcNow();
            }

            AddRange(samples);
            _voicedSamples += samples.Length;
            _trailingSilence = 0;
            if (_utterance.Count >= Options.MaxUtterance.TotalSeconds * 16_000)
            {
                EndUtterance();
            }
        }

        private void AddRange(ReadOnlySpan<short> samples)
        {
            foreach (var sample in samples)
            {
                _utterance.Add(sample);
            }
        }

        private static double Rms(ReadOnlySpan<short> samples)
        {
            if (samples.IsEmpty)
            {
                return 0;
            }

            double sum = 0;
            foreach (var sample in samples)
            {
                sum += (double)sample * sample;
            }

            return Math.Sqrt(sum / samples.Length);
        }
    }
}
