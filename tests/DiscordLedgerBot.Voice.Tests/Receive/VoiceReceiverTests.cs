using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Receive;
using DiscordLedgerBot.Voice.Transport;

namespace DiscordLedgerBot.Voice.Tests.Receive;

/// <summary>The receive path without sockets: packets built like the emulator's, fed in any order on a fake clock.</summary>
public sealed class VoiceReceiverTests : IDisposable
{
    private const ulong Speaker = 1_200_000_000_000_001;
    private const uint Ssrc = 4242;
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly DaveDecryptor _passthrough;
    private readonly List<HeardUtterance> _heard = [];
    private readonly VoiceReceiver _receiver;

    public VoiceReceiverTests()
    {
        _passthrough = new DaveDecryptor(_time, passthrough: true);
        _receiver = new VoiceReceiver(new VoiceReceiverOptions(), _time, _ => _passthrough, u => _heard.Add(u));
        _receiver.SetCipher(new VoiceTransportCipher(VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize, Key));
    }

    [Fact]
    public void Reordered_speech_with_5_percent_loss_becomes_one_utterance_matching_the_source()
    {
        var wav = SpokenAudio.Wav("create a task to review the quarterly budget");
        var packets = Packets(VoiceClip.FromWav(wav).EncodeOpus());
        var random = new Random(3);
        var kept = packets.Where(_ => random.Next(100) >= 5).ToList();

        // Swap neighbours now and then: the network reorders within the jitter depth.
        for (var i = 1; i < kept.Count; i += 7)
        {
            (kept[i], kept[i - 1]) = (kept[i - 1], kept[i]);
        }

        _receiver.OnSpeaking(Speaker, Ssrc, speaking: true);
        foreach (var packet in kept)
        {
            _receiver.OnDatagram(packet);
        }

        Assert.Empty(_heard);
        _time.Advance(new VoiceReceiverOptions().SilenceTimeout);

        var utterance = Assert.Single(_heard);
        Assert.Equal(Speaker, utterance.SpeakerId);
        var correlation = SpokenAudio.Correlation(SpokenAudio.Reference16k(wav), utterance.Pcm);
        var counters = _receiver.Counters;
        Assert.True(correlation >= 0.95, $"correlation {correlation:F3}, {counters}");
        Assert.True(counters.Concealed + counters.FecRecovered >= packets.Count - kept.Count - 1, counters.ToString());
        Assert.Equal(0, counters.TransportRejected);
    }

    [Fact]
    public void Speaking_flag_drop_ends_the_utterance_after_the_grace()
    {
        var wav = SpokenAudio.Wav("mark it done");
        _receiver.OnSpeaking(Speaker, Ssrc, speaking: true);
        foreach (var packet in Packets(VoiceClip.FromWav(wav).EncodeOpus()))
        {
            _receiver.OnDatagram(packet);
        }

        _receiver.OnSpeaking(Speaker, Ssrc, speaking: false);
        _time.Advance(new VoiceReceiverOptions().SpeakingEndGrace);

        Assert.Single(_heard);
    }

    [Fact]
    public void Packets_before_the_speaking_op_are_held_and_played_once_the_ssrc_is_known()
    {
        var wav = SpokenAudio.Wav("mark it done");
        foreach (var packet in Packets(VoiceClip.FromWav(wav).EncodeOpus()))
        {
            _receiver.OnDatagram(packet);
        }

        _receiver.OnSpeaking(Speaker, Ssrc, speaking: false);
        _time.Advance(new VoiceReceiverOptions().SpeakingEndGrace);

        Assert.True(SpokenAudio.Correlation(SpokenAudio.Reference16k(wav), Assert.Single(_heard).Pcm) >= 0.95);
    }

    [Fact]
    public void A_whole_request_that_arrives_before_its_speaking_op_is_heard_from_its_first_word()
    {
        // A busy host reads the UDP burst before the WebSocket's op 5: more than two seconds of speech is held, not trimmed.
        var wav = SpokenAudio.Wav("hey ledger create a task update the release notes and prepare the quarterly budget review");
        var packets = Packets(VoiceClip.FromWav(wav).EncodeOpus());
        Assert.True(packets.Count > 150, $"{packets.Count} packets");
        foreach (var packet in packets)
        {
            _receiver.OnDatagram(packet);
        }

        _receiver.OnSpeaking(Speaker, Ssrc, speaking: false);
        _time.Advance(new VoiceReceiverOptions().SpeakingEndGrace);

        var heard = Assert.Single(_heard);
        Assert.Equal(0, _receiver.Counters.UnmappedDropped);
        Assert.True(SpokenAudio.Correlation(SpokenAudio.Reference16k(wav), heard.Pcm) >= 0.95);
    }

    [Fact]
    public void Garbage_forgeries_replays_and_dave_fuzz_seeds_are_dropped_and_counted_never_thrown()
    {
        _receiver.OnSpeaking(Speaker, Ssrc, speaking: true);
        var packets = Packets(VoiceClip.FromWav(SpokenAudio.Wav("mark it done")).EncodeOpus());
        var random = new Random(11);
        var sent = 0;
        foreach (var packet in packets.Take(20))
        {
            _receiver.OnDatagram(packet);
            sent++;
        }

        // Replays of accepted packets.
        foreach (var packet in packets.Take(10))
        {
            _receiver.OnDatagram(packet);
        }

        // Forgeries: valid RTP headers with a flipped ciphertext bit, or a wrong key.
        using var wrongKey = new VoiceTransportCipher(VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize, new byte[32]);
        for (var i = 0; i < 50; i++)
        {
            var forged = packets[20 + (i % (packets.Count - 20))].ToArray();
            forged[random.Next(12, forged.Length)] ^= (byte)(1 << random.Next(8));
            _receiver.OnDatagram(forged);
        }

        // Random bytes, some dressed as RTP; the libdave fuzzing seeds as RTP payloads and as whole datagrams.
        for (var i = 0; i < 2000; i++)
        {
            var junk = new byte[random.Next(0, 300)];
            random.NextBytes(junk);
            if (junk.Length > 1 && i % 2 == 0)
            {
                junk[0] = (byte)(0x80 | (junk[0] & 0x3F));
                junk[1] = 0x78;
            }

            _receiver.OnDatagram(junk);
        }

        using var cipher = new VoiceTransportCipher(VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize, Key);
        var header = new byte[12];
        ushort sequence = 30_000;
        foreach (var seed in Directory.GetFiles(SharedContracts.Contract("dave", "libdave-afl-decryptor-seeds")))
        {
            var bytes = File.ReadAllBytes(seed);
            _receiver.OnDatagram(bytes);
            RtpHeader.Write(header, sequence++, 0, Ssrc);
            var packet = new byte[VoiceTransportCipher.PacketLength(12, bytes.Length)];
            cipher.Encrypt(header, bytes, sequence, packet);
            _receiver.OnDatagram(packet);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        var counters = _receiver.Counters;

        // Every datagram lands in exactly one counter; replays pass transport decryption and die in the jitter buffer.
        Assert.Equal(counters.Datagrams, counters.Accepted + counters.NotRtp + counters.TransportRejected + counters.DaveRejected + counters.UnmappedDropped);
        Assert.True(counters.LateOrDuplicate >= 10, counters.ToString());
        Assert.True(counters.TransportRejected >= 50 + 800, counters.ToString());
        Assert.True(counters.NotRtp >= 900, counters.ToString());
        Assert.True(counters.Accepted >= sent, counters.ToString());
    }

    public void Dispose()
    {
        _receiver.Dispose();
        _passthrough.Dispose();
    }

    private static List<byte[]> Packets(IReadOnlyList<byte[]> opus)
    {
        using var cipher = new VoiceTransportCipher(VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize, Key);
        var packets = new List<byte[]>();
        var header = new byte[16];
        for (var i = 0; i < opus.Count; i++)
        {
            var headerLength = RtpHeader.Write(header, (ushort)(65_500 + i), (uint)(i * 960), Ssrc, extensionWords: i % 2);
            byte[] plaintext = i % 2 == 1 ? [0x10, 0x7F, 0, 0, .. opus[i]] : opus[i];
            var packet = new byte[VoiceTransportCipher.PacketLength(headerLength, plaintext.Length)];
            cipher.Encrypt(header.AsSpan(0, headerLength), plaintext, (uint)i, packet);
            packets.Add(packet);
        }

        return packets;
    }
}
